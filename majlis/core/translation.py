"""Content written per language (titles, descriptions) and how to pick one.

The product's four languages are fixed, so each translated text is a column per
language on its own row: the programme reads one row per session, with no join.
"""

from django.conf import settings
from django.utils.translation import get_language

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
