"""Sessions say which languages are spoken and interpreted there, and delegates
can keep to the sessions they can follow."""

import pytest
from django.contrib.auth.models import User

from majlis.events.models import Session
from majlis.testing.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def sessions(event):
    return {
        "english": SessionFactory(event=event, code="english", languages=["en"]),
        "bilingual": SessionFactory(
            event=event, code="bilingual", languages=["fr", "ar"], interpretation=["en"]
        ),
        "interpreted": SessionFactory(
            event=event, code="interpreted", languages=["es"], interpretation=["fr"]
        ),
    }


def codes(response) -> set[str]:
    return {s["code"] for s in response.json()["sessions"]}


def test_the_api_lists_languages_and_filters_by_the_one_a_delegate_understands(
    client, sessions
):
    everything = client.get("/api/v1/events/casa/sessions")
    by_code = {s["code"]: s for s in everything.json()["sessions"]}
    assert by_code["bilingual"]["languages"] == ["fr", "ar"]
    assert by_code["bilingual"]["interpretation"] == ["en"]
    assert codes(client.get("/api/v1/events/casa/sessions?understood=fr")) == {
        "bilingual",
        "interpreted",
    }
    assert codes(client.get("/api/v1/events/casa/sessions?understood=en")) == {
        "english",
        "bilingual",
    }
    assert codes(client.get("/api/v1/events/casa/sessions?understood=zh")) == set()
    wrong = client.get("/api/v1/events/casa/sessions?understood=klingon")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid"


def test_the_programme_filters_by_language_and_each_session_says_its_languages(
    client, sessions
):
    page = client.get("/en/e/casa/?understood=ar").content.decode()
    assert "/s/bilingual/" in page
    assert "/s/english/" not in page and "/s/interpreted/" not in page
    assert "Spoken in: French, Arabic" in page
    assert "Interpretation into: English" in page
    detail = client.get("/en/e/casa/s/interpreted/").content.decode()
    assert "Spanish" in detail and "French" in detail
    # An unknown language shows everything rather than an error page.
    assert "/s/english/" in client.get("/en/e/casa/?understood=xx").content.decode()


def test_a_missing_translation_falls_back_to_the_events_main_language(event):
    event.main_language = "fr"
    event.save()
    session = SessionFactory(event=event, title_en="Working groups", title_fr="Groupes")
    session = Session.objects.select_related("event").get(pk=session.pk)
    from django.utils import translation

    with translation.override("es"):
        assert session.title == "Groupes"
    with translation.override("en"):
        assert session.title == "Working groups"


def test_the_secretariat_sees_which_sessions_miss_a_translation(client, event):
    SessionFactory(
        event=event,
        code="complete",
        title_es="Completa",
        description_fr="x",
        description_es="x",
        description_ar="x",
    )
    SessionFactory(event=event, code="partial", title_es="", title_ar="")
    admin = User.objects.create_superuser("sec", "sec@example.org", "pw-sec-123")
    client.force_login(admin)
    page = client.get("/admin/events/session/?translations=missing").content.decode()
    assert "partial" in page and "complete" not in page


def test_latin_names_inside_arabic_pages_are_isolated(client, sessions):
    """A room or an organisation written in Latin letters keeps its own direction
    inside an Arabic line (Unicode bidi isolation)."""
    page = client.get("/ar/e/casa/").content.decode()
    assert "<bdi>Atlas 1</bdi>" in page
    assert "<bdi>ILO</bdi>" in page


def test_rooms_are_named_per_language_with_a_fallback(client, event):
    SessionFactory(
        event=event, code="atlas", room_en="Atlas Hall", room_ar="قاعة الأطلس"
    )
    assert "قاعة الأطلس" in client.get("/ar/e/casa/s/atlas/").content.decode()
    assert "Atlas Hall" in client.get("/fr/e/casa/s/atlas/").content.decode()
    api = client.get("/api/v1/events/casa/sessions/atlas?lang=ar").json()
    assert api["room"] == "قاعة الأطلس"
