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
