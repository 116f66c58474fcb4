from collections.abc import Iterable

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def as_list(items: Iterable[object]) -> str:
    """Join names with the language's own comma (Arabic writes «،»)."""
    return pgettext("separator between the names of a list", ", ").join(
        str(item) for item in items
    )


@register.filter
def minus(value: int, other: int) -> int:
    return int(value) - int(other)


@register.filter
def share_of(count: int, largest: int) -> int:
    """``count`` as a whole percentage of ``largest`` (0 to 100): the bars'
    width classes, ``share-0`` to ``share-100`` in site.css, since the
    Content-Security-Policy allows no inline style."""
    if not largest or int(largest) <= 0:
        return 0
    return max(0, min(100, round(100 * int(count) / int(largest))))
