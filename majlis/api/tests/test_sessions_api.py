"""GET /events/{event}/sessions and /sessions/{code}: the public programme."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

from .helpers import API, error_of, unique

pytestmark = pytest.mark.django_db

SESSION_FIELDS = {
    "code",
    "title",
    "description",
    "organisers",
    "format",
    "room",
    "starts_at",
    "ends_at",
    "capacity",
    "seats_left",
    "waitlist_length",
    "booking_open",
}


def sessions_of(client, event, **kwargs) -> dict[str, dict]:
    response = client.get(f"{API}/events/{event.slug}/sessions", **kwargs)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"sessions"}
    return {s["code"]: s for s in body["sessions"]}


def test_the_list_gives_every_field_of_each_session(client, event):
    session = SessionFactory(
        event=event,
        code="youth-jobs",
        title_en="Youth jobs",
        description_en="Ideas that work.",
        organisers=["ILO", "UNDP"],
        format="world_cafe",
        room_en="Atlas 2",
        capacity=30,
    )
    listed = sessions_of(client, event)["youth-jobs"]
    assert set(listed) >= SESSION_FIELDS
    assert {k: listed[k] for k in SESSION_FIELDS - {"starts_at", "ends_at"}} == {
        "code": "youth-jobs",
        "title": "Youth jobs",
        "description": "Ideas that work.",
        "organisers": ["ILO", "UNDP"],
        "format": "world_cafe",
        "room": "Atlas 2",
        "capacity": 30,
        "seats_left": 30,
        "waitlist_length": 0,
        "booking_open": True,
    }
    assert datetime.fromisoformat(listed["starts_at"]) == session.starts_at
    assert datetime.fromisoformat(listed["ends_at"]) == session.ends_at


@pytest.mark.parametrize(
    ("zone", "starts", "ends"),
    [
        (
            "Africa/Casablanca",
            "2027-02-02T16:30:00+01:00",
            "2027-02-02T18:00:00+01:00",
        ),
        ("Asia/Kolkata", "2027-02-02T21:00:00+05:30", "2027-02-02T22:30:00+05:30"),
        ("America/Bogota", "2027-02-02T10:30:00-05:00", "2027-02-02T12:00:00-05:00"),
    ],
)
def test_times_are_iso_8601_with_the_offset_of_the_events_zone(
    client, zone, starts, ends
):
    # 2 February 2027 is before Ramadan, when Morocco is on +01:00.
    event = EventFactory(slug=unique("zone"), time_zone=zone)
    SessionFactory(
        event=event,
        code="s",
        starts_at=datetime(2027, 2, 2, 15, 30, tzinfo=UTC),
        ends_at=datetime(2027, 2, 2, 17, 0, tzinfo=UTC),
    )
    listed = sessions_of(client, event)["s"]
    assert (listed["starts_at"], listed["ends_at"]) == (starts, ends)
    detail = client.get(f"{API}/events/{event.slug}/sessions/s").json()
    assert (detail["starts_at"], detail["ends_at"]) == (starts, ends)


def test_sessions_are_listed_by_start_time(client, event):
    SessionFactory(event=event, code="late", starts_at=afternoon(hour=17))
    SessionFactory(event=event, code="early", starts_at=afternoon(hour=9))
    SessionFactory(event=event, code="noon", starts_at=afternoon(hour=12))
    assert list(sessions_of(client, event)) == ["early", "noon", "late"]


def test_only_the_events_own_sessions_are_listed(client, event, other_event):
    SessionFactory(event=event, code="ours")
    SessionFactory(event=other_event, code="theirs")
    assert list(sessions_of(client, event)) == ["ours"]


def test_seats_left_and_waitlist_length_follow_the_bookings(client, event):
    session = SessionFactory(event=event, code="popular", capacity=2)
    people = ParticipantFactory.create_batch(4, event=event)
    assert sessions_of(client, event)["popular"]["seats_left"] == 2

    first = booking_create(
        participant=people[0], session=session, actor=Actor.delegate()
    )
    listed = sessions_of(client, event)["popular"]
    assert (listed["seats_left"], listed["waitlist_length"]) == (1, 0)

    for person in people[1:]:
        booking_create(participant=person, session=session, actor=Actor.delegate())
    listed = sessions_of(client, event)["popular"]
    assert (listed["seats_left"], listed["waitlist_length"]) == (0, 2)

    booking_cancel(booking=first, actor=Actor.delegate())
    listed = sessions_of(client, event)["popular"]
    assert (listed["seats_left"], listed["waitlist_length"]) == (0, 1)
    assert listed["capacity"] == 2


def test_booking_open_turns_false_when_the_event_closes_booking(client, event):
    SessionFactory(event=event, code="s")
    assert sessions_of(client, event)["s"]["booking_open"] is True
    event.booking_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    assert sessions_of(client, event)["s"]["booking_open"] is False


def test_booking_open_is_false_before_booking_opens(client, event):
    SessionFactory(event=event, code="s")
    event.booking_opens_at = timezone.now() + timedelta(days=1)
    event.save()
    assert sessions_of(client, event)["s"]["booking_open"] is False


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ("", {}, "en"),
        ("?lang=fr", {}, "fr"),
        ("?lang=ar", {}, "ar"),
        ("", {"Accept-Language": "fr"}, "fr"),
        ("", {"Accept-Language": "ar,fr;q=0.5"}, "ar"),
        ("?lang=en", {"Accept-Language": "fr"}, "en"),
        ("?lang=fr", {"Accept-Language": "ar"}, "fr"),
        ("?lang=xx", {}, "en"),
        ("?lang=xx", {"Accept-Language": "fr"}, "fr"),
    ],
)
def test_titles_come_in_the_language_of_lang_then_accept_language_then_english(
    client, event, query, headers, language
):
    session = SessionFactory(event=event, code="s")
    expected = getattr(session, f"title_{language}")
    listed = client.get(f"{API}/events/{event.slug}/sessions{query}", headers=headers)
    assert listed.json()["sessions"][0]["title"] == expected
    detail = client.get(f"{API}/events/{event.slug}/sessions/s{query}", headers=headers)
    assert detail.json()["title"] == expected


def test_a_text_missing_in_the_language_falls_back_to_english(client, event):
    session = SessionFactory(
        event=event,
        code="s",
        title_es="",
        description_en="In English.",
        description_fr="En français.",
    )
    spanish = client.get(f"{API}/events/{event.slug}/sessions/s?lang=es").json()
    french = client.get(f"{API}/events/{event.slug}/sessions/s?lang=fr").json()
    assert spanish["title"] == session.title_en
    assert french["title"] == session.title_fr
    assert spanish["description"] == "In English."
    assert french["description"] == "En français."


def test_the_detail_is_the_same_object_as_in_the_list(client, event):
    session = SessionFactory(event=event, code="s", capacity=1)
    for person in ParticipantFactory.create_batch(2, event=event):
        booking_create(participant=person, session=session, actor=Actor.delegate())
    detail = client.get(f"{API}/events/{event.slug}/sessions/s")
    assert detail.status_code == 200
    assert detail.json() == sessions_of(client, event)["s"]
    assert (detail.json()["seats_left"], detail.json()["waitlist_length"]) == (0, 1)


@pytest.mark.parametrize(
    "path",
    [
        "/events/no-such-event/sessions",
        "/events/no-such-event/sessions/s",
        "/events/{event}/sessions/no-such-code",
        "/events/{event}/sessions/elsewhere",
    ],
)
def test_an_unknown_event_or_session_is_not_found(client, event, other_event, path):
    SessionFactory(event=event, code="s")
    SessionFactory(event=other_event, code="elsewhere")
    assert client.get(f"{API}/events/{event.slug}/sessions/s").status_code == 200
    response = client.get(API + path.format(event=event.slug))
    assert error_of(response, 404)["code"] == "not_found"
