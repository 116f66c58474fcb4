"""The event's time zone named as people name it, in each language, from the
CLDR (Babel), with its offset from GMT on the day in question; never the raw
IANA name on a page."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from majlis.core.time_zones import zone_name
from majlis.testing.factories import EventFactory, SessionFactory

NOVEMBER = datetime(2026, 11, 10, 12, tzinfo=UTC)
# Morocco turns its clocks back to GMT during Ramadan.
RAMADAN = datetime(2027, 2, 20, 12, tzinfo=UTC)

MOROCCO = {
    "en": ("Morocco Time, GMT+1", "Morocco Time, GMT"),
    "fr": ("heure : Maroc, UTC+1", "heure : Maroc, UTC"),
    "es": ("hora de Marruecos, GMT+1", "hora de Marruecos, GMT"),
    "ar": ("توقيت المغرب، غرينتش+1", "توقيت المغرب، غرينتش"),
}


@pytest.mark.parametrize("language", MOROCCO)
def test_the_zone_is_named_by_its_country_with_the_offset_of_the_day(language):
    usual, in_ramadan = MOROCCO[language]
    with translation.override(language):
        assert zone_name("Africa/Casablanca", NOVEMBER) == usual
        assert zone_name("Africa/Casablanca", RAMADAN) == in_ramadan
    assert zone_name("Africa/Casablanca", NOVEMBER, language=language) == usual


def test_half_hours_and_zones_of_no_country():
    assert zone_name("Asia/Kolkata", NOVEMBER, "en") == "India Time, GMT+5:30"
    assert zone_name("America/New_York", NOVEMBER, "es") == (
        "hora de Estados Unidos (Nueva York), GMT-5"
    )
    assert zone_name("UTC", NOVEMBER, "fr") == "UTC"
    assert zone_name("Etc/GMT-3", NOVEMBER, "en") == "GMT+3"


@pytest.mark.django_db
@pytest.mark.parametrize("language", MOROCCO)
def test_the_pages_name_the_zone_in_their_language(client, language):
    event = EventFactory(slug="casa")
    session = SessionFactory(
        event=event, code="talk", starts_at=NOVEMBER, ends_at=NOVEMBER.replace(hour=14)
    )
    usual, _ramadan = MOROCCO[language]
    for path in (f"/{language}/e/casa/", f"/{language}/e/casa/s/{session.code}/"):
        html = client.get(path).content.decode()
        assert usual in html, path
        assert "Africa/Casablanca" not in html, path
