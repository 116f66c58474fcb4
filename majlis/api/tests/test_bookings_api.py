"""Booking, listing and cancelling seats through the API, and the roster."""

from datetime import timedelta

import pytest
from django.utils import timezone

from majlis.bookings.models import ActorKind, Booking, BookingChange, BookingStatus
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.core.time_zones import zone_name
from majlis.testing.factories import ParticipantFactory, SessionFactory

from .helpers import API, bearer, book, bookings_in, error_of, my_bookings

pytestmark = pytest.mark.django_db


def bookings_url(event, code: str) -> str:
    return f"{API}/events/{event.slug}/sessions/{code}/bookings"


def seats_left(client, event, code: str) -> int:
    return client.get(f"{API}/events/{event.slug}/sessions/{code}").json()["seats_left"]


# Booking


def test_booking_a_free_seat_answers_201_confirmed(
    client, event, delegate, as_delegate
):
    SessionFactory(event=event, code="s", capacity=2)
    response = book(client, as_delegate, event.slug, "s")
    assert response.status_code == 201, response.content
    booking = bookings_in(event).get()
    assert response.json() == {
        "id": booking.pk,
        "session": "s",
        "status": "confirmed",
        "waitlist_position": None,
        "released": [],
    }
    assert (booking.participant, booking.status) == (delegate, BookingStatus.CONFIRMED)
    assert seats_left(client, event, "s") == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", None), (b"", "application/json"), (b"{}", "application/json")],
    ids=["no-body", "empty-json-body", "empty-object"],
)
def test_an_empty_body_books(client, event, as_delegate, body, content_type):
    SessionFactory(event=event, code="s")
    extra = {"content_type": content_type} if content_type else {}
    response = client.generic(
        "POST", bookings_url(event, "s"), body, headers=as_delegate, **extra
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"


def test_access_needs_are_kept_for_the_roster(
    client, event, as_delegate, as_integration
):
    SessionFactory(event=event, code="s")
    booked = book(
        client,
        as_delegate,
        event.slug,
        "s",
        {
            "access_needs": ["wheelchair", "captioning"],
            "access_needs_note": "Ramp, please.",
        },
    )
    assert booked.status_code == 201
    roster = client.get(
        f"{API}/events/{event.slug}/sessions/s/roster", headers=as_integration
    ).json()
    entry = roster["confirmed"][0]
    assert entry["access_needs"] == ["wheelchair", "captioning"]
    assert entry["access_needs_note"] == "Ramp, please."
    assert roster["access_needs_counts"] == {
        "wheelchair": 1,
        "sign_language": 0,
        "captioning": 1,
        "other": 0,
    }


def test_unknown_access_needs_are_refused_and_nothing_is_booked(
    client, event, as_delegate
):
    SessionFactory(event=event, code="s")
    refused = book(client, as_delegate, event.slug, "s", {"access_needs": ["jetpack"]})
    assert error_of(refused, 400)["code"] == "invalid"
    assert not bookings_in(event).exists()


def test_a_delegate_changes_their_access_needs_and_it_is_audited(
    client, event, as_delegate, token_headers
):
    SessionFactory(event=event, code="s")
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    changed = client.patch(
        f"{API}/bookings/{booking_id}",
        {"access_needs": ["sign_language"], "access_needs_note": ""},
        content_type="application/json",
        headers=as_delegate,
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "id": booking_id,
        "access_needs": ["sign_language"],
        "access_needs_note": "",
    }
    booking = bookings_in(event).get()
    assert booking.changes.last().action == "access_needs"
    someone_else = token_headers(ParticipantFactory(event=event))
    other = client.patch(
        f"{API}/bookings/{booking_id}",
        {"access_needs": []},
        content_type="application/json",
        headers=someone_else,
    )
    assert error_of(other, 404)["code"] == "not_found"


def test_access_needs_of_a_cancelled_booking_are_refused_409(
    client, event, as_delegate
):
    SessionFactory(event=event, code="s")
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    client.delete(f"{API}/bookings/{booking_id}", headers=as_delegate)
    refused = client.patch(
        f"{API}/bookings/{booking_id}",
        {"access_needs": ["wheelchair"]},
        content_type="application/json",
        headers=as_delegate,
    )
    assert error_of(refused, 409)["code"] == "booking_cancelled"
    booking = bookings_in(event).get()
    assert booking.access_needs == []
    assert booking.changes.last().action != "access_needs"


def test_a_full_session_puts_delegates_on_its_waiting_list_in_order(
    client, event, token_headers
):
    SessionFactory(event=event, code="s", capacity=1)
    people = ParticipantFactory.create_batch(3, event=event)
    answers = [book(client, token_headers(p), event.slug, "s") for p in people]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [(a.json()["status"], a.json()["waitlist_position"]) for a in answers] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]


def test_a_full_session_without_waiting_list_is_session_full(
    client, event, token_headers
):
    SessionFactory(event=event, code="s", capacity=1, has_waitlist=False)
    first, second = ParticipantFactory.create_batch(2, event=event)
    assert book(client, token_headers(first), event.slug, "s").status_code == 201
    error = error_of(book(client, token_headers(second), event.slug, "s"), 409)
    assert error["code"] == "session_full"
    assert Booking.objects.filter(participant=second).count() == 0


def test_booking_the_same_session_twice_is_already_booked(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    first = book(client, as_delegate, event.slug, "s")
    assert first.status_code == 201
    error = error_of(book(client, as_delegate, event.slug, "s"), 409)
    assert error["code"] == "already_booked"
    assert error["details"]["booking"] == first.json()["id"]
    assert bookings_in(event).count() == 1


def test_an_overlapping_session_is_a_time_conflict_naming_the_booking_in_the_way(
    client, event, as_delegate
):
    held = SessionFactory(event=event, code="morning")
    SessionFactory(
        event=event,
        code="same-time",
        starts_at=held.starts_at + timedelta(minutes=30),
        ends_at=held.ends_at + timedelta(minutes=30),
    )
    held_id = book(client, as_delegate, event.slug, "morning").json()["id"]
    error = error_of(book(client, as_delegate, event.slug, "same-time"), 409)
    assert error["code"] == "time_conflict"
    assert error["details"] == {"booking": held_id, "session": "morning"}
    assert set(my_bookings(client, as_delegate)) == {"morning"}


def test_switch_true_moves_the_seat_to_the_overlapping_session(
    client, event, as_delegate
):
    held = SessionFactory(event=event, code="morning")
    SessionFactory(
        event=event, code="same-time", starts_at=held.starts_at, ends_at=held.ends_at
    )
    book(client, as_delegate, event.slug, "morning")
    moved = book(client, as_delegate, event.slug, "same-time", {"switch": True})
    assert moved.status_code == 201, moved.content
    assert moved.json()["status"] == "confirmed"
    assert moved.json()["released"] == ["morning"]
    mine = my_bookings(client, as_delegate)
    assert mine["morning"]["status"] == "cancelled"
    assert mine["same-time"]["status"] == "confirmed"
    assert seats_left(client, event, "morning") == held.capacity


def test_a_switch_names_every_seat_it_released_and_only_those(
    client, event, as_delegate
):
    first = SessionFactory(event=event, code="first-half")
    second = SessionFactory(
        event=event,
        code="second-half",
        starts_at=first.ends_at,
        ends_at=first.ends_at + (first.ends_at - first.starts_at),
    )
    SessionFactory(
        event=event,
        code="apart",
        starts_at=second.ends_at + timedelta(hours=2),
        ends_at=second.ends_at + timedelta(hours=3),
    )
    for code in ("second-half", "first-half", "apart"):
        assert book(client, as_delegate, event.slug, code).status_code == 201
    SessionFactory(
        event=event, code="long", starts_at=first.starts_at, ends_at=second.ends_at
    )
    moved = book(client, as_delegate, event.slug, "long", {"switch": True})
    assert moved.status_code == 201, moved.content
    assert moved.json()["released"] == ["first-half", "second-half"]


def test_a_switch_onto_the_waiting_list_keeps_the_seat_and_releases_nothing(
    client, event, as_delegate, token_headers
):
    held = SessionFactory(event=event, code="morning")
    SessionFactory(
        event=event,
        code="full",
        capacity=1,
        starts_at=held.starts_at,
        ends_at=held.ends_at,
    )
    book(client, token_headers(ParticipantFactory(event=event)), event.slug, "full")
    book(client, as_delegate, event.slug, "morning")
    waiting = book(client, as_delegate, event.slug, "full", {"switch": True})
    assert waiting.status_code == 201, waiting.content
    assert (waiting.json()["status"], waiting.json()["released"]) == ("waitlisted", [])
    assert my_bookings(client, as_delegate)["morning"]["status"] == "confirmed"


def test_a_switch_that_releases_nothing_says_so(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    booked = book(client, as_delegate, event.slug, "s", {"switch": True})
    assert booked.status_code == 201, booked.content
    assert booked.json()["released"] == []


def test_booking_is_closed_after_the_event_closes_it_and_says_when(
    client, event, token_headers
):
    SessionFactory(event=event, code="s")
    early, late = ParticipantFactory.create_batch(2, event=event)
    assert book(client, token_headers(early), event.slug, "s").status_code == 201
    closed_at = timezone.now() - timedelta(days=400)
    event.booking_closes_at = closed_at
    event.save()
    error = error_of(book(client, token_headers(late), event.slug, "s"), 403)
    assert error["code"] == "booking_closed"
    local = timezone.localtime(closed_at, event.zone)
    assert str(local.year) in error["message"]
    assert str(local.day) in error["message"]
    assert zone_name(event.time_zone, closed_at, "en") in error["message"]
    assert error["details"] == {"closed_at": closed_at.isoformat()}
    assert Booking.objects.filter(participant=late).count() == 0


def test_booking_is_closed_before_it_opens_and_says_when(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    opens_at = timezone.now() + timedelta(days=400)
    event.booking_opens_at = opens_at
    event.save()
    error = error_of(book(client, as_delegate, event.slug, "s"), 403)
    assert error["code"] == "booking_closed"
    assert str(timezone.localtime(opens_at, event.zone).year) in error["message"]
    assert zone_name(event.time_zone, opens_at, "en") in error["message"]
    assert error["details"] == {"opens_at": opens_at.isoformat()}
    assert not bookings_in(event).exists()
    event.booking_opens_at = None
    event.save()
    assert book(client, as_delegate, event.slug, "s").status_code == 201


def test_a_delegate_of_another_event_is_not_registered(
    client, event, other_event, as_delegate, token_headers
):
    SessionFactory(event=event, code="s")
    outsider = ParticipantFactory(event=other_event, email="amina@example.org")
    error = error_of(book(client, token_headers(outsider), event.slug, "s"), 403)
    assert error["code"] == "not_registered"
    assert not bookings_in(event).exists()
    assert book(client, as_delegate, event.slug, "s").status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer(""),
        bearer("mjp_not-a-token"),
        bearer("something-else"),
        {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"},
    ],
    ids=["none", "empty", "unknown-token", "no-prefix", "basic"],
)
def test_booking_without_a_valid_token_is_unauthenticated(
    client, event, as_delegate, headers
):
    SessionFactory(event=event, code="s")
    error = error_of(book(client, headers, event.slug, "s"), 401)
    assert error["code"] == "unauthenticated"
    assert not bookings_in(event).exists()
    assert book(client, as_delegate, event.slug, "s").status_code == 201


def test_booking_with_an_api_key_is_forbidden(client, event, as_integration):
    SessionFactory(event=event, code="s")
    error = error_of(book(client, as_integration, event.slug, "s"), 403)
    assert error["code"] == "forbidden"
    assert not bookings_in(event).exists()


@pytest.mark.parametrize(
    ("event_slug", "code"),
    [("{event}", "no-such-code"), ("{event}", "elsewhere"), ("no-such-event", "s")],
)
def test_booking_an_unknown_session_is_not_found(
    client, event, other_event, as_delegate, event_slug, code
):
    SessionFactory(event=event, code="s")
    SessionFactory(event=other_event, code="elsewhere")
    response = book(client, as_delegate, event_slug.format(event=event.slug), code)
    assert error_of(response, 404)["code"] == "not_found"
    assert not bookings_in(event).exists()
    assert book(client, as_delegate, event.slug, "s").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"switch": "perhaps"},
        {"switch": None},
        {"switch": {"yes": True}},
        {"access_needs": 5},
        {"access_needs": "x" * 1001},
    ],
    ids=["switch-word", "switch-null", "switch-object", "needs-number", "needs-long"],
)
def test_a_body_with_wrong_types_is_invalid(client, event, as_delegate, body):
    SessionFactory(event=event, code="s")
    error = error_of(book(client, as_delegate, event.slug, "s", body), 400)
    assert error["code"] == "invalid"
    assert not bookings_in(event).exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{not json", "application/json"), (b"switch=true", "text/plain")],
    ids=["broken-json", "not-json"],
)
def test_a_body_that_is_not_json_is_invalid(
    client, event, as_delegate, body, content_type
):
    SessionFactory(event=event, code="s")
    response = client.generic(
        "POST",
        bookings_url(event, "s"),
        body,
        content_type=content_type,
        headers=as_delegate,
    )
    assert not bookings_in(event).exists()
    assert error_of(response, 400)["code"] == "invalid"


@pytest.mark.parametrize("body", [b"[]", b"[true]", b"42", b'"switch"', b"true"])
def test_a_json_body_that_is_not_an_object_is_invalid(client, event, as_delegate, body):
    SessionFactory(event=event, code="s")
    response = client.generic(
        "POST",
        bookings_url(event, "s"),
        body,
        content_type="application/json",
        headers=as_delegate,
    )
    assert response.status_code == 400, response.content
    assert error_of(response, 400)["code"] == "invalid"
    assert not bookings_in(event).exists()


# My bookings


def test_my_bookings_lists_mine_with_status_and_position_cancelled_too(
    client, event, delegate, as_delegate, django_assert_num_queries
):
    other = ParticipantFactory(event=event)
    confirmed = SessionFactory(event=event, code="a-confirmed")
    full = SessionFactory(
        event=event,
        code="b-waiting",
        capacity=1,
        starts_at=confirmed.starts_at + timedelta(days=1),
        ends_at=confirmed.ends_at + timedelta(days=1),
    )
    dropped = SessionFactory(
        event=event,
        code="c-cancelled",
        starts_at=confirmed.starts_at + timedelta(days=2),
        ends_at=confirmed.ends_at + timedelta(days=2),
    )
    me = Actor.delegate()
    mine_confirmed = booking_create(participant=delegate, session=confirmed, actor=me)
    booking_create(participant=other, session=full, actor=me)
    mine_waiting = booking_create(participant=delegate, session=full, actor=me)
    mine_cancelled = booking_create(participant=delegate, session=dropped, actor=me)
    booking_cancel(booking=mine_cancelled, actor=me)
    booking_create(participant=other, session=confirmed, actor=me)

    # The token and its delegate with their event, the bookings with their
    # sessions (the event not joined again), the place of the one waiting,
    # and the seats of published groups: the same however many bookings.
    with django_assert_num_queries(4):
        response = client.get(f"{API}/me/bookings", headers=as_delegate)
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"bookings"}
    keys = ("id", "session", "status", "waitlist_position")
    items = sorted(
        ({k: b[k] for k in keys} for b in response.json()["bookings"]),
        key=lambda b: b["session"],
    )
    assert items == [
        {
            "id": mine_confirmed.pk,
            "session": "a-confirmed",
            "status": "confirmed",
            "waitlist_position": None,
        },
        {
            "id": mine_waiting.pk,
            "session": "b-waiting",
            "status": "waitlisted",
            "waitlist_position": 1,
        },
        {
            "id": mine_cancelled.pk,
            "session": "c-cancelled",
            "status": "cancelled",
            "waitlist_position": None,
        },
    ]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_my_bookings_say_where_and_when_in_the_request_language(
    client, event, delegate, as_delegate, token_headers, language
):
    session = SessionFactory(
        event=event, code="lab", capacity=1, room_en="Atlas 1", room_fr="Atlas un"
    )
    booking_create(
        participant=ParticipantFactory(event=event),
        session=session,
        actor=Actor.delegate(),
    )
    book(client, as_delegate, event.slug, "lab")
    response = client.get(f"{API}/me/bookings?lang={language}", headers=as_delegate)
    assert response.status_code == 200, response.content
    [item] = response.json()["bookings"]
    zone = event.zone
    assert item["title"] == getattr(session, f"title_{language}")
    assert (
        item["room"] == {"en": "Atlas 1", "fr": "Atlas un", "ar": "Atlas 1"}[language]
    )
    assert item["starts_at"] == timezone.localtime(session.starts_at, zone).isoformat()
    assert item["ends_at"] == timezone.localtime(session.ends_at, zone).isoformat()
    assert item["time_zone"] == event.time_zone
    assert (item["status"], item["waitlist_position"]) == ("waitlisted", 1)


def test_my_bookings_needs_a_delegates_token(client, as_integration, as_delegate):
    assert error_of(client.get(f"{API}/me/bookings"), 401)["code"] == "unauthenticated"
    refused = client.get(f"{API}/me/bookings", headers=as_integration)
    assert error_of(refused, 403)["code"] == "forbidden"
    assert client.get(f"{API}/me/bookings", headers=as_delegate).status_code == 200


# Cancelling


def cancel(client, booking_id: int, headers):
    return client.delete(f"{API}/bookings/{booking_id}", headers=headers)


def test_a_delegate_cancels_their_booking(client, event, as_delegate):
    SessionFactory(event=event, code="s", capacity=3)
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    assert seats_left(client, event, "s") == 2
    response = cancel(client, booking_id, as_delegate)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": booking_id,
        "session": "s",
        "status": "cancelled",
        "waitlist_position": None,
    }
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CANCELLED
    assert seats_left(client, event, "s") == 3
    assert my_bookings(client, as_delegate)["s"]["status"] == "cancelled"


def test_cancelling_a_cancelled_booking_answers_cancelled_again(
    client, event, as_delegate
):
    SessionFactory(event=event, code="s", capacity=3)
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    assert cancel(client, booking_id, as_delegate).json()["status"] == "cancelled"
    again = cancel(client, booking_id, as_delegate)
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "cancelled"
    assert seats_left(client, event, "s") == 3


def test_another_delegates_booking_is_not_found_like_a_missing_one(
    client, event, as_delegate, token_headers
):
    SessionFactory(event=event, code="s")
    theirs = ParticipantFactory(event=event)
    their_headers = token_headers(theirs)
    booking_id = book(client, their_headers, event.slug, "s").json()["id"]

    someone_elses = cancel(client, booking_id, as_delegate)
    missing = cancel(client, booking_id + 1000, as_delegate)
    assert error_of(someone_elses, 404) == error_of(missing, 404)
    assert error_of(someone_elses, 404)["code"] == "not_found"
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CONFIRMED

    assert cancel(client, booking_id, their_headers).status_code == 200


def test_an_api_key_may_cancel_any_booking(client, event, as_delegate, as_integration):
    SessionFactory(event=event, code="s")
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    response = cancel(client, booking_id, as_integration)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    change = BookingChange.objects.filter(booking_id=booking_id).last()
    assert (change.action, change.actor_kind) == ("cancelled", ActorKind.INTEGRATION)
    assert change.actor_api_key is not None
    missing = cancel(client, booking_id + 1000, as_integration)
    assert error_of(missing, 404)["code"] == "not_found"


def test_cancelling_needs_a_valid_token(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    booking_id = book(client, as_delegate, event.slug, "s").json()["id"]
    for headers in ({}, bearer("mjp_not-a-token")):
        assert error_of(cancel(client, booking_id, headers), 401)["code"] == (
            "unauthenticated"
        )
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CONFIRMED


def test_cancelling_gives_the_seat_to_the_first_waiting_delegate(
    client, event, token_headers
):
    SessionFactory(event=event, code="s", capacity=1)
    holder, first, second = (
        token_headers(p) for p in ParticipantFactory.create_batch(3, event=event)
    )
    held_id = book(client, holder, event.slug, "s").json()["id"]
    assert book(client, first, event.slug, "s").json()["waitlist_position"] == 1
    assert book(client, second, event.slug, "s").json()["waitlist_position"] == 2

    assert cancel(client, held_id, holder).status_code == 200

    promoted = my_bookings(client, first)["s"]
    still_waiting = my_bookings(client, second)["s"]
    assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
    assert (still_waiting["status"], still_waiting["waitlist_position"]) == (
        "waitlisted",
        1,
    )
    assert seats_left(client, event, "s") == 0


# Roster


def roster_url(event, code: str) -> str:
    return f"{API}/events/{event.slug}/sessions/{code}/roster"


def test_the_roster_lists_confirmed_then_waitlisted_in_order(
    client, event, as_integration, token_headers
):
    SessionFactory(event=event, code="s", capacity=2)
    people = ParticipantFactory.create_batch(5, event=event)
    ids = [book(client, token_headers(p), event.slug, "s").json()["id"] for p in people]
    cancel(client, ids[2], as_integration)  # the first waiting one leaves the queue

    response = client.get(roster_url(event, "s"), headers=as_integration)
    assert response.status_code == 200, response.content
    roster = response.json()
    assert set(roster) == {"confirmed", "waitlisted", "access_needs_counts"}
    assert [(e["email"], e["waitlist_position"]) for e in roster["confirmed"]] == [
        (people[0].email, None),
        (people[1].email, None),
    ]
    assert [
        (e["booking"], e["email"], e["waitlist_position"]) for e in roster["waitlisted"]
    ] == [(ids[3], people[3].email, 1), (ids[4], people[4].email, 2)]
    first = roster["confirmed"][0]
    assert (first["name"], first["checkin_code"]) == (
        people[0].name,
        people[0].checkin_code,
    )


def test_the_roster_needs_an_api_key(client, event, as_delegate, as_integration):
    SessionFactory(event=event, code="s")
    refused = client.get(roster_url(event, "s"), headers=as_delegate)
    assert error_of(refused, 403)["code"] == "forbidden"
    anonymous = client.get(roster_url(event, "s"))
    assert error_of(anonymous, 401)["code"] == "unauthenticated"
    assert client.get(roster_url(event, "s"), headers=as_integration).status_code == 200
    missing = client.get(roster_url(event, "no-such-code"), headers=as_integration)
    assert error_of(missing, 404)["code"] == "not_found"
