"""A time zone named as people say it, in their language: the place it is the
time of ("Morocco Time", "hora de Marruecos", "توقيت المغرب"), from the Unicode
CLDR through Babel, and its offset from GMT at a given moment ("GMT+1"), which
changes with summer time (and in Morocco, with Ramadan)."""

import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from django.utils import timezone, translation
from django.utils.translation import pgettext

from majlis.core.translation import active_language


@lru_cache(maxsize=256)
def _place_name(zone: str, language: str) -> str:
    # Zones of no country (UTC, Etc/GMT-3) have no place to name.
    if get_global("zone_territories").get(zone, "ZZ") == "ZZ":
        return ""
    return str(get_timezone_location(zoneinfo.ZoneInfo(zone), locale=language))


def _short_offset(offset: timedelta, language: str) -> str:
    """CLDR's short localised GMT format: "GMT+1", "GMT+5:30", "UTC-3" (French)."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    amount = f"{sign}{hours}:{minutes:02d}" if minutes else f"{sign}{hours}"
    pattern = str(Locale.parse(language).zone_formats["gmt"])
    return pattern % (amount if hours or minutes else "")


def zone_name(
    zone: str, at: datetime | None = None, language: str | None = None
) -> str:
    """``zone`` (an IANA name) as people name it in ``language`` (the active one
    by default), with its offset from GMT at ``at`` (now by default)."""
    language = language or active_language()
    offset = (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    gmt = _short_offset(offset or timedelta(0), language)
    place = _place_name(zone, language)
    if not place:
        return gmt
    with translation.override(language):
        return pgettext(
            "a time zone: the place it is the time of, then its offset from GMT",
            "%(place)s, %(offset)s",
        ) % {"place": place, "offset": gmt}
