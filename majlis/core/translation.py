"""Content written per language (titles, descriptions) and how to pick one.

The product's four languages are fixed, so each translated text is a column per
language on its own row: the programme reads one row per session, with no join.
"""

from collections.abc import Mapping

from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, pgettext

LANGUAGE_CODES: tuple[str, ...] = ("en", "fr", "es", "ar")


def active_language() -> str:
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def pick_translation(
    instance: object, base: str, language: str | None = None, fallback: str = "en"
) -> str:
    """The text in ``language``, else in ``fallback``, else in any language that has one."""
    for code in (language or active_language(), fallback, *LANGUAGE_CODES):
        value = getattr(instance, f"{base}_{code}", "")
        if value:
            return str(value)
    return ""


# Unicode's isolates for plain text (UAX #9): U+2068 FIRST STRONG ISOLATE opens
# a run that takes the direction of its first letter, U+2069 POP DIRECTIONAL
# ISOLATE closes it.
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def isolate_text(value: object) -> str:
    """A text that people typed, isolated for plain text (an email's body or
    subject) as <bdi> isolates it on a page: between FIRST STRONG ISOLATE and
    POP DIRECTIONAL ISOLATE, so that in an Arabic email "Amina B." does not
    show as ".Amina B", and an Arabic name does not take the punctuation of an
    English sentence. For a value inside a sentence; one on a line of its own
    needs none. A list is joined with the language's comma, each item
    isolated, as ``isolating`` does."""
    if isinstance(value, list | tuple):
        comma = pgettext("separator between the names of a list", ", ")
        return comma.join(isolate_text(item) for item in value)
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def isolating(message: str, values: Mapping[str, object]) -> SafeString:
    """``message`` (a translated sentence) filled in for a page, each text that
    people typed (a name, a title, an address) in a <bdi> of its own, as
    templates write it: in a message on an Arabic page, Chromium would
    otherwise show "Amina B." as ".Amina B", its full stop taken by the Arabic
    sentence around it. Numbers, and HTML already escaped (words of ours, such
    as a role's name), go in as they are; a list is joined with the language's
    comma, each item isolated. The sentence itself is escaped."""

    def isolated(value: object) -> object:
        if isinstance(value, int | float | SafeData):
            return value
        if isinstance(value, list | tuple):
            comma = pgettext("separator between the names of a list", ", ")
            return mark_safe(comma.join(str(isolated(item)) for item in value))  # noqa: S308
        return format_html("<bdi>{}</bdi>", value)

    filled = conditional_escape(message) % {
        name: isolated(value) for name, value in values.items()
    }
    return mark_safe(filled)  # noqa: S308 - the sentence escaped, the values isolated and escaped
