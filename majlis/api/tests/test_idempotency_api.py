"""Idempotency-Key on POST .../bookings: a retry gets the first answer, books nothing more."""

from datetime import timedelta

import pytest

from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_cancel
from majlis.testing.factories import ParticipantFactory, SessionFactory

from .helpers import book, bookings_in, error_of

pytestmark = pytest.mark.django_db

KEY = "6f1c3b1e-retry-me"


def test_the_same_key_twice_gets_the_same_answer_and_books_once(
    client, event, as_delegate
):
    SessionFactory(event=event, code="s")
    first = book(client, as_delegate, event.slug, "s", key=KEY)
    again = book(client, as_delegate, event.slug, "s", key=KEY)
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert bookings_in(event).count() == 1
    assert first.json()["id"] == bookings_in(event).get().pk


def test_a_switch_is_replayed_naming_the_seat_it_released(client, event, as_delegate):
    held = SessionFactory(event=event, code="morning")
    SessionFactory(
        event=event, code="same-time", starts_at=held.starts_at, ends_at=held.ends_at
    )
    book(client, as_delegate, event.slug, "morning")
    first = book(
        client, as_delegate, event.slug, "same-time", {"switch": True}, key=KEY
    )
    again = book(
        client, as_delegate, event.slug, "same-time", {"switch": True}, key=KEY
    )
    assert first.json()["released"] == ["morning"], first.content
    assert (again.status_code, again.json()) == (201, first.json())


def test_without_a_key_a_retry_is_a_new_request(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    assert book(client, as_delegate, event.slug, "s").status_code == 201
    error = error_of(book(client, as_delegate, event.slug, "s"), 409)
    assert error["code"] == "already_booked"


def test_a_waitlisted_answer_is_replayed_with_its_position(
    client, event, as_delegate, token_headers
):
    SessionFactory(event=event, code="s", capacity=1)
    book(client, token_headers(ParticipantFactory(event=event)), event.slug, "s")
    first = book(client, as_delegate, event.slug, "s", key=KEY)
    again = book(client, as_delegate, event.slug, "s", key=KEY)
    assert first.json()["status"] == "waitlisted"
    assert (again.status_code, again.json()) == (201, first.json())
    assert bookings_in(event).count() == 2


def test_an_error_answer_is_replayed_even_after_its_cause_is_gone(
    client, event, delegate, as_delegate, token_headers
):
    SessionFactory(event=event, code="s", capacity=1, has_waitlist=False)
    holder = ParticipantFactory(event=event)
    held_id = book(client, token_headers(holder), event.slug, "s").json()["id"]

    refused = book(client, as_delegate, event.slug, "s", key=KEY)
    assert error_of(refused, 409)["code"] == "session_full"

    booking_cancel(booking=Booking.objects.get(pk=held_id), actor=Actor.delegate())
    replayed = book(client, as_delegate, event.slug, "s", key=KEY)
    assert (replayed.status_code, replayed.json()) == (409, refused.json())
    assert not Booking.objects.filter(participant=delegate).exists()

    fresh = book(client, as_delegate, event.slug, "s", key=KEY + "-2")
    assert fresh.status_code == 201, fresh.content


def test_an_error_with_details_is_replayed_with_them(client, event, as_delegate):
    held = SessionFactory(event=event, code="held")
    SessionFactory(
        event=event,
        code="clash",
        starts_at=held.starts_at + timedelta(minutes=15),
        ends_at=held.ends_at,
    )
    book(client, as_delegate, event.slug, "held")
    first = book(client, as_delegate, event.slug, "clash", key=KEY)
    again = book(client, as_delegate, event.slug, "clash", key=KEY)
    assert error_of(first, 409)["code"] == "time_conflict"
    assert (again.status_code, again.json()) == (409, first.json())
    assert error_of(again, 409)["details"]["session"] == "held"


def test_the_same_key_on_another_path_is_refused(client, event, as_delegate):
    first_day = SessionFactory(event=event, code="s")
    SessionFactory(
        event=event,
        code="other",
        starts_at=first_day.starts_at + timedelta(days=1),
        ends_at=first_day.ends_at + timedelta(days=1),
    )
    first = book(client, as_delegate, event.slug, "s", key=KEY)
    assert first.status_code == 201, first.content
    reused = book(client, as_delegate, event.slug, "other", key=KEY)
    assert error_of(reused, 422)["code"] == "idempotency_key_reused"
    assert set(bookings_in(event).values_list("session__code", flat=True)) == {"s"}
    other = book(client, as_delegate, event.slug, "other", key=KEY + "-2")
    assert other.status_code == 201, other.content


def test_the_same_key_with_another_body_is_refused(client, event, as_delegate):
    SessionFactory(event=event, code="s")
    first = book(client, as_delegate, event.slug, "s", key=KEY)
    assert first.status_code == 201, first.content
    reused = book(client, as_delegate, event.slug, "s", {"switch": True}, key=KEY)
    assert error_of(reused, 422)["code"] == "idempotency_key_reused"
    assert bookings_in(event).count() == 1


def test_a_key_belongs_to_the_caller_who_sent_it(client, event, token_headers):
    SessionFactory(event=event, code="s")
    first, second = ParticipantFactory.create_batch(2, event=event)
    mine = book(client, token_headers(first), event.slug, "s", key=KEY)
    theirs = book(client, token_headers(second), event.slug, "s", key=KEY)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert bookings_in(event).count() == 2


def test_a_key_works_across_the_delegates_tokens(
    client, event, delegate, token_headers
):
    SessionFactory(event=event, code="s")
    first = book(client, token_headers(delegate), event.slug, "s", key=KEY)
    again = book(client, token_headers(delegate), event.slug, "s", key=KEY)
    assert (again.status_code, again.json()) == (201, first.json())
    assert bookings_in(event).count() == 1
