"""The event's venue is written per language like the sessions' texts, and
its main language is named, not coded."""

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from majlis.backoffice.models import StaffRole
from majlis.demo.content import DEMO_EVENT_VENUE
from majlis.events.models import Event
from majlis.testing.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_the_venue_is_read_in_the_pages_language_else_in_the_main_language():
    event = EventFactory(
        venue_en="Marrakesh, Morocco", venue_ar="مراكش، المغرب", venue_fr=""
    )
    with translation.override("ar"):
        assert event.venue == "مراكش، المغرب"
    with translation.override("fr"):
        assert event.venue == "Marrakesh, Morocco"
    event.main_language = "ar"
    with translation.override("es"):
        assert event.venue == "مراكش، المغرب"


def test_the_programme_shows_the_venue_in_its_language(client):
    EventFactory(
        slug="casa", venue_en="Marrakesh, Morocco", venue_es="Marrakech, Marruecos"
    )
    assert "Marrakech, Marruecos" in client.get("/es/e/casa/").content.decode()
    assert "Marrakesh, Morocco" in client.get("/en/e/casa/").content.decode()


def test_the_demo_venue_is_translated_into_each_language():
    assert set(DEMO_EVENT_VENUE) == {"en", "fr", "es", "ar"}
    assert len(set(DEMO_EVENT_VENUE.values())) == 4


@pytest.fixture
def secretariat(client):
    event = EventFactory(slug="casa", venue_en="Marrakesh")
    user = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return client


def test_the_secretariat_writes_the_venue_in_each_language(secretariat):
    url = "/en/backoffice/casa/settings/"
    form = secretariat.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(venue_fr="Marrakech, Maroc", venue_ar="مراكش، المغرب")
    assert secretariat.post(url, data).status_code == 302
    event = Event.objects.get(slug="casa")
    assert (event.venue_en, event.venue_fr, event.venue_ar) == (
        "Marrakesh",
        "Marrakech, Maroc",
        "مراكش، المغرب",
    )


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_main_language_is_offered_by_name(secretariat, language):
    html = secretariat.get(f"/{language}/backoffice/casa/settings/").content.decode()
    with translation.override(language):
        arabic = translation.gettext("Arabic")
    assert f'<option value="ar">{arabic}</option>' in html
    assert '<option value="ar">ar</option>' not in html
