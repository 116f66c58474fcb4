"""The programme's seats left are shared for at most a second, never longer."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from majlis.accounts.services import participant_token_create
from majlis.api.tests.helpers import API, bearer, book
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["programme"].clear()
    yield
    caches["programme"].clear()


def seats_left(client, slug: str, language: str = "en") -> int:
    response = client.get(f"{API}/events/{slug}/sessions?lang={language}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["sessions"][0]["seats_left"]


@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=1)
def test_seats_left_are_at_most_a_second_old(client):
    event = EventFactory()
    session = SessionFactory(event=event, capacity=10)
    person = ParticipantFactory(event=event)
    assert seats_left(client, event.slug) == 10

    booked = book(client, bearer(participant_token_create(participant=person)),
                  event.slug, session.code)  # fmt: skip
    assert booked.status_code == 201

    # Within the second, the list is the one already built (that is the point),
    # in every language: they are built from the same rows, read once ...
    assert seats_left(client, event.slug) == 10
    assert seats_left(client, event.slug, "fr") == 10
    time.sleep(1.1)
    # ... and after the second, every language is fresh again.
    assert seats_left(client, event.slug) == 9
    assert seats_left(client, event.slug, "fr") == 9


# Three seconds here, so that a slow machine has room between the steps.
@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=3)
def test_a_list_built_late_from_remembered_rows_ends_with_them(client):
    event = EventFactory()
    session = SessionFactory(event=event, capacity=10)
    person = ParticipantFactory(event=event)
    rows_read = time.monotonic()
    assert seats_left(client, event.slug) == 10  # the rows are read now
    time.sleep(1)
    booked = book(client, bearer(participant_token_create(participant=person)),
                  event.slug, session.code)  # fmt: skip
    assert booked.status_code == 201
    # Built now from rows a second old: it may show them ...
    assert seats_left(client, event.slug, "ar") == 10
    time.sleep(max(0.0, rows_read + 3.5 - time.monotonic()))
    # ... but not past the seconds those rows were good for (a list kept for
    # its own three seconds would still say 10 here).
    assert seats_left(client, event.slug, "ar") == 9


@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=1)
def test_the_rows_are_read_once_for_every_language(client, django_assert_num_queries):
    event = EventFactory()
    SessionFactory(event=event)
    seats_left(client, event.slug)

    with django_assert_num_queries(0):
        for language in ("fr", "es", "ar"):
            seats_left(client, event.slug, language)


@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=1)
def test_each_language_and_filter_has_its_own_list(client):
    event = EventFactory()
    SessionFactory(event=event, title_en="Targets", title_fr="Cibles", languages=["fr"])

    def titles(query: str) -> list[str]:
        answer = client.get(f"{API}/events/{event.slug}/sessions?{query}").json()
        return [s["title"] for s in answer["sessions"]]

    assert titles("lang=en") == ["Targets"]
    assert titles("lang=fr") == ["Cibles"]
    assert titles("lang=en&understood=es") == []
    assert titles("lang=en") == ["Targets"]


@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=1)
def test_an_unknown_event_is_not_found_and_not_remembered(client):
    response = client.get(f"{API}/events/no-such-event/sessions")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@override_settings(MAJLIS_PROGRAMME_FRESH_SECONDS=1)
def test_a_proxy_in_front_may_share_the_list_for_the_same_second_per_language(client):
    event = EventFactory()
    SessionFactory(event=event)

    response = client.get(f"{API}/events/{event.slug}/sessions")

    assert "max-age=1" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    # The language cookie chooses the language too (found in review).
    assert "Cookie" in response["Vary"]
