import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

from majlis.core import translation
from majlis.core.time_zones import zone_name as name_of_zone

register = template.Library()


@register.filter
def as_list(items: Iterable[object]) -> str:
    """Join names with the language's own comma (Arabic writes «،»)."""
    return pgettext("separator between the names of a list", ", ").join(
        str(item) for item in items
    )


@register.filter
def bdi(value: object) -> SafeString:
    """Text that people typed (a name, an address, a title), isolated from the
    sentence around it, so that a Latin name on an Arabic page, or an Arabic
    one on an English page, neither moves nor moves its neighbours. For
    values placed in a {% blocktranslate %}, where a tag cannot go. A list
    (names, titles) is joined with the language's comma, each item isolated:
    in one isolate together, a Latin and an Arabic name would read in the
    wrong order on either page."""
    if isinstance(value, list | tuple):
        return translation.isolating("%(items)s", {"items": value})
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def isolate_text(value: object) -> str:
    """``bdi`` for plain text (the emails' .txt bodies): the value between
    Unicode's FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE; a list, each
    item isolated and joined with the language's comma
    (``translation.isolate_text``). For values placed inside a sentence."""
    return translation.isolate_text(value)


@register.filter
def ltr(value: object) -> SafeString:
    """A token always read left to right (".ics", a code), isolated: on an
    Arabic page "(.ics)" would otherwise show as "(ics.)"."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def address(value: object) -> SafeString:
    """An email address, isolated like ``bdi``, that wraps only where a reader
    expects it to: after the "@" and before a dot, never inside a part
    ("walker-" / "ar"). site.css keeps each part on one line."""
    parts = re.split(r"(?<=@)|(?=\.)", str(value))
    return format_html(
        '<bdi class="address">{}</bdi>',
        format_html_join(
            mark_safe("<wbr>"), "<span>{}</span>", ((part,) for part in parts if part)
        ),
    )


@register.filter
def text_direction(value: object) -> str:
    """ "rtl" or "ltr", the direction of the text's first strong letter (the
    rule that browsers apply to dir="auto", P2 of Unicode's bidi algorithm),
    else "auto". For the PDFs: WeasyPrint does not apply dir="auto" and would
    align an Arabic name on the left of an English sheet."""
    for char in str(value):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"


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


@register.filter
def zone_name(zone: str, at: datetime | None = None) -> str:
    """``{{ event.time_zone|zone_name:session.starts_at }}``: "Morocco Time, GMT+1"
    in the page's language, the offset as at ``at`` (now if not given)."""
    return name_of_zone(zone, at or None)
