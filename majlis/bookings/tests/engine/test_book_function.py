"""The booking function on PostgreSQL (majlis/bookings/sql/book_v3.sql,
docs/adr/0005-one-engine-per-database.md): one statement decides every case,
writes what a booking writes, nothing for a refusal, and keeps the answer of a
keyed request. The differential test compares its rows with the Python
engine's; these tests spell out what it must do."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from majlis.bookings.models import ActorKind, Booking, BookingChange, IdempotencyRecord
from majlis.bookings.services import (
    Actor,
    BookingAnswer,
    IdempotencyClaim,
    booking_create,
    booking_request,
)
from majlis.bookings.services import booking as booking_service
from majlis.bookings.services import requests as requests_service
from majlis.core.exceptions import IdempotencyKeyReused
from majlis.events.models import Session
from majlis.outbox.models import OutboxMessage
from majlis.testing.concurrency import row_lock_taken
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgres")]


def request(person, session, **kwargs):
    return booking_request(
        participant=person,
        event_slug=session.event.slug,
        session_code=session.code,
        **kwargs,
    )


def everything() -> tuple[list, ...]:
    """Every row a booking writes, to compare before and after."""
    return (
        list(Booking.objects.order_by("pk").values()),
        list(BookingChange.objects.order_by("pk").values()),
        list(OutboxMessage.objects.order_by("pk").values()),
        list(Session.objects.order_by("pk").values()),
    )


def test_a_free_seat_is_confirmed_with_its_audit_row_message_and_counter():
    session = SessionFactory(capacity=2)
    person = ParticipantFactory(event=session.event, language="fr")

    booking = booking_create(
        participant=person,
        session=session,
        actor=Actor.delegate(),
        access_needs=["wheelchair"],
        access_needs_note=" ramp ",
    )

    assert (booking.participant, booking.session, booking.status) == (
        person,
        session,
        "confirmed",
    )
    assert booking.access_needs == ["wheelchair"]
    assert booking.access_needs_note == "ramp"
    assert booking.confirmed_at == booking.created_at
    assert (booking.starts_at, booking.ends_at) == (session.starts_at, session.ends_at)
    session.refresh_from_db()
    assert session.seats_taken == 1
    change = BookingChange.objects.get(booking=booking)
    assert (change.action, change.from_status, change.to_status, change.actor_kind) == (
        "booked",
        "",
        "confirmed",
        ActorKind.PARTICIPANT,
    )
    message = OutboxMessage.objects.get()
    assert (message.kind, message.to_email, message.language, message.payload) == (
        "booking_confirmed",
        person.email,
        "fr",
        {"booking": booking.pk},
    )


def test_a_full_session_puts_the_delegate_on_the_waiting_list_in_order():
    session = SessionFactory(capacity=1)
    first, second, third = ParticipantFactory.create_batch(3, event=session.event)
    request(first, session)

    waiting = [request(second, session), request(third, session)]

    assert [(w.status, w.waitlist_position) for w in waiting] == [
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (1, 2)
    assert OutboxMessage.objects.get(
        kind="booking_waitlisted", payload__booking=waiting[1].booking_id
    ).payload == {"booking": waiting[1].booking_id, "position": 2}


def refused_case(case: str):
    """A delegate, a session and what the booking function must refuse."""
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    person = ParticipantFactory(event=event)
    other = ParticipantFactory(event=event)
    code = session.code
    if case == "already_booked":
        request(person, session)
    elif case == "already waiting":
        request(other, session)
        request(person, session)
    elif case == "time_conflict":
        request(person, SessionFactory(event=event, starts_at=session.starts_at))
    elif case == "booking not open":
        event.booking_opens_at = timezone.now() + timedelta(days=1)
        event.save()
    elif case == "booking_closed":
        event.booking_closes_at = timezone.now() - timedelta(minutes=1)
        event.save()
    elif case == "session_full":
        session.has_waitlist = False
        session.save()
        request(other, session)
    elif case == "another event's session":
        code = SessionFactory().code
    elif case == "not_registered":
        person = ParticipantFactory()
    return person, session, code


REFUSALS = {
    "already_booked": "already_booked",
    "already waiting": "already_booked",
    "time_conflict": "time_conflict",
    "booking not open": "booking_closed",
    "booking_closed": "booking_closed",
    "session_full": "session_full",
    "another event's session": "not_found",
    "not_registered": "not_registered",
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refusal_writes_nothing_but_its_answer(case):
    person, session, code = refused_case(case)
    before = everything()

    answer = booking_request(
        participant=person,
        event_slug=session.event.slug,
        session_code=code,
        idempotency=IdempotencyClaim("participant:1", "key-1", "f" * 64),
    )

    assert answer.refused and answer.body["error"]["code"] == REFUSALS[case]
    assert everything() == before
    record = IdempotencyRecord.objects.get(key="key-1")
    assert (record.response_status, record.response_body) == (
        answer.http_status,
        answer.body,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refused", [True, False])
def test_a_refusal_takes_no_lock_and_a_seat_only_the_sessions_row(refused):
    """Refused, nothing stays locked in the caller's transaction; booked, only
    the session's row is, never the other sessions of its overlap group."""
    person, session, _code = refused_case("time_conflict" if refused else "none")
    neighbour = SessionFactory(
        event=session.event, starts_at=session.starts_at + timedelta(minutes=30)
    )

    with transaction.atomic():
        answer = request(person, session)
        assert answer.refused is refused
        assert row_lock_taken(session) is not refused
        assert not row_lock_taken(neighbour)


@pytest.mark.django_db(transaction=True)
def test_a_switch_locks_the_overlap_group():
    """A switch releases a seat, whose cascade can reach the whole group."""
    person, session, _code = refused_case("time_conflict")
    later = SessionFactory(
        event=session.event, starts_at=session.starts_at + timedelta(days=1)
    )
    held = Booking.objects.get(participant=person)

    with transaction.atomic():
        answer = request(person, session, switch=True)
        assert answer.status == "confirmed"
        assert row_lock_taken(session) and row_lock_taken(held.session)
        assert not row_lock_taken(later)


def test_outside_the_window_the_back_office_may_still_book():
    person, session, _code = refused_case("booking_closed")

    assert request(person, session).refused
    booked = booking_create(
        participant=person,
        session=session,
        actor=Actor.delegate(),
        enforce_window=False,
    )
    assert booked.status == "confirmed"


def test_a_retried_key_gets_the_stored_answer_and_books_nothing_more():
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    claim = IdempotencyClaim(f"participant:{person.pk}", "retry-me", "a" * 64)

    first = request(person, session, idempotency=claim)
    again = request(person, session, idempotency=claim)

    assert (first.replayed, again.replayed) == (False, True)
    assert (
        again.body
        == first.body
        == {
            "id": first.booking_id,
            "session": session.code,
            "status": "confirmed",
            "waitlist_position": None,
        }
    )
    assert Booking.objects.count() == 1


def test_a_refusal_is_kept_in_the_words_of_its_first_answer():
    """The function answers a refusal with its facts; the service words it in
    the caller's language and keeps it, so that a retry in another language
    hears the first answer, word for word."""
    person, session, _code = refused_case("time_conflict")
    claim = IdempotencyClaim("p", "k", "a" * 64)

    with translation.override("fr"):
        first = request(person, session, idempotency=claim)
    again = request(person, session, idempotency=claim)

    assert first.body["error"]["message"].startswith("Vous")
    assert again.replayed and again.body == first.body


def test_a_refusal_whose_key_was_answered_meanwhile_gets_that_answer(monkeypatch):
    """The refusal is decided before its answer is kept: a retry that got in
    between (and was answered first) stands for both, so the two requests
    hear one answer."""
    person, session, _code = refused_case("time_conflict")
    claim = IdempotencyClaim("p", "k", "a" * 64)
    decide = booking_service.book_in_database

    def retried_meanwhile(**kwargs):
        decided = decide(**kwargs)
        IdempotencyRecord.objects.create(
            principal="p",
            key="k",
            request_fingerprint="a" * 64,
            response_status=409,
            response_body={"error": {"code": "first", "message": "first"}},
        )
        return decided

    monkeypatch.setattr(requests_service, "book_in_database", retried_meanwhile)
    answer = request(person, session, idempotency=claim)

    assert answer.replayed
    assert (answer.http_status, answer.body["error"]["code"]) == (409, "first")
    assert IdempotencyRecord.objects.count() == 1


def test_a_key_reused_for_another_request_is_refused():
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    request(person, session, idempotency=IdempotencyClaim("p", "k", "a" * 64))
    before = everything()

    with pytest.raises(IdempotencyKeyReused):
        request(person, session, idempotency=IdempotencyClaim("p", "k", "b" * 64))

    assert everything() == before


def test_the_service_is_one_statement(django_assert_max_num_queries):
    """One statement and one read back: no Python decides anything."""
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)

    with django_assert_max_num_queries(2):
        booking = booking_create(
            participant=person, session=session, actor=Actor.delegate()
        )

    assert booking.status == "confirmed"


def test_the_api_asks_the_database_once_even_for_a_switch(client):
    from majlis.accounts.services import participant_token_create

    event = EventFactory()
    held = SessionFactory(event=event)
    wanted = SessionFactory(event=event, starts_at=held.starts_at)
    person = ParticipantFactory(event=event)
    booking_create(participant=person, session=held, actor=Actor.delegate())
    token = participant_token_create(participant=person)

    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            f"/api/v1/events/{event.slug}/sessions/{wanted.code}/bookings",
            data={"switch": True},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
        )

    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "confirmed"
    asked = [q for q in queries.captured_queries if "majlis_" in q["sql"]]
    assert len(asked) == 1
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", ["already_booked", "time_conflict", "session_full"])
def test_a_refusal_never_waits_for_a_lock(case, settings):
    """While another transaction holds the session's row (a cascade, a
    switch), a refusal is answered at once: it reads committed rows and locks
    nothing. With a lock timeout of 50 ms, waiting would be heard as "try
    again"."""
    settings.MAJLIS_LOCK_TIMEOUT_MS = 50
    person, session, _code = refused_case(case)
    answers: list[BookingAnswer] = []

    def ask() -> None:
        try:
            answers.append(request(person, session))
        finally:
            connections.close_all()

    with transaction.atomic():
        list(Session.objects.select_for_update().filter(pk=session.pk))
        asker = threading.Thread(target=ask)
        asker.start()
        asker.join(timeout=30)

    assert [answer.body["error"]["code"] for answer in answers] == [case]
