"""The one-statement booking on PostgreSQL (docs/adr/0002-one-statement-booking.md).

It must do exactly what the locked Python path does for the cases it takes,
and change nothing at all for the cases it hands back.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from majlis.bookings.models import ActorKind, Booking, BookingChange, IdempotencyRecord
from majlis.bookings.services import (
    Actor,
    IdempotencyClaim,
    booking_create,
    booking_create_quick,
)
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgres")]


def quick(participant, session, **kwargs):
    return booking_create_quick(
        participant=participant,
        event_id=session.event_id,
        session_code=session.code,
        access_needs=kwargs.pop("access_needs", []),
        access_needs_note=kwargs.pop("access_needs_note", ""),
        **kwargs,
    )


def everything() -> tuple[list, list, list, list]:
    """Every row a booking writes, to compare before and after."""
    return (
        list(Booking.objects.order_by("pk").values()),
        list(BookingChange.objects.order_by("pk").values()),
        list(OutboxMessage.objects.order_by("pk").values()),
        list(IdempotencyRecord.objects.order_by("pk").values()),
    )


def test_a_free_seat_is_confirmed_with_its_audit_row_message_and_counter():
    session = SessionFactory(capacity=2)
    person = ParticipantFactory(event=session.event, language="fr")

    done = quick(
        person, session, access_needs=["wheelchair"], access_needs_note=" ramp "
    )

    assert done is not None and done.status == "confirmed"
    booking = Booking.objects.get(pk=done.booking_id)
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
    quick(first, session)

    waiting = [quick(second, session), quick(third, session)]

    assert [(w.status, w.waitlist_position) for w in waiting] == [
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert OutboxMessage.objects.filter(kind="booking_waitlisted").count() == 2
    assert OutboxMessage.objects.get(
        kind="booking_waitlisted", payload__booking=waiting[1].booking_id
    ).payload == {"booking": waiting[1].booking_id, "position": 2}


def test_the_same_answer_as_the_locked_path():
    """Book one session through each path and compare every row they wrote."""
    event = EventFactory()
    one = SessionFactory(event=event, capacity=1, starts_at=afternoon(hour=9))
    two = SessionFactory(event=event, capacity=1, starts_at=afternoon(hour=14))
    people = ParticipantFactory.create_batch(2, event=event)

    def shape(session_id):
        bookings = Booking.objects.filter(session_id=session_id).order_by("pk")
        return [
            (
                b.status,
                [
                    (c.action, c.from_status, c.to_status, c.actor_kind)
                    for c in b.changes.all()
                ],
                sorted(
                    (m.kind, tuple(sorted(m.payload)))
                    for m in OutboxMessage.objects.filter(payload__booking=b.pk)
                ),
            )
            for b in bookings
        ]

    for person in people:
        assert quick(person, one) is not None
    from majlis.bookings.services.booking import _booking_create_locked

    for person in people:
        _booking_create_locked(
            participant=person,
            session=two,
            actor=Actor.delegate(),
            switch=False,
            access_needs=[],
            access_needs_note="",
            enforce_window=True,
            walk_in=False,
        )
    assert shape(one.pk) == shape(two.pk)


@pytest.mark.parametrize(
    "case",
    [
        "already booked",
        "already waiting",
        "a seat held at the same time",
        "booking not open yet",
        "booking closed",
        "full without a waiting list",
        "another event's session",
        "unknown session",
    ],
)
def test_every_other_case_is_handed_back_having_changed_nothing(case):
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    person = ParticipantFactory(event=event)
    other = ParticipantFactory(event=event)
    code = session.code
    if case == "already booked":
        quick(person, session)
    elif case == "already waiting":
        quick(other, session)
        quick(person, session)
    elif case == "a seat held at the same time":
        overlapping = SessionFactory(event=event, starts_at=session.starts_at)
        quick(person, overlapping)
    elif case == "booking not open yet":
        event.booking_opens_at = timezone.now() + timedelta(days=1)
        event.save()
    elif case == "booking closed":
        event.booking_closes_at = timezone.now() - timedelta(minutes=1)
        event.save()
    elif case == "full without a waiting list":
        session.has_waitlist = False
        session.save()
        quick(other, session)
    elif case == "another event's session":
        code = SessionFactory().code
    elif case == "unknown session":
        code = "no-such-session"
    before = everything()
    seats_before = list(
        type(session).objects.order_by("pk").values_list("pk", "seats_taken")
    )

    handed_back = booking_create_quick(
        participant=person,
        event_id=event.pk,
        session_code=code,
        access_needs=[],
        access_needs_note="",
        idempotency=IdempotencyClaim("participant:1", "key-1", "f" * 64),
    )

    assert handed_back is None
    assert everything() == before
    assert (
        list(type(session).objects.order_by("pk").values_list("pk", "seats_taken"))
        == seats_before
    )


def test_outside_the_window_the_back_office_may_still_book():
    event = EventFactory(booking_closes_at=timezone.now() - timedelta(minutes=1))
    session = SessionFactory(event=event)
    person = ParticipantFactory(event=event)

    assert quick(person, session) is None
    assert quick(person, session, enforce_window=False).status == "confirmed"


def test_a_retried_key_gets_the_stored_answer_and_books_nothing_more():
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    claim = IdempotencyClaim(f"participant:{person.pk}", "retry-me", "a" * 64)

    first = quick(person, session, idempotency=claim)
    again = quick(person, session, idempotency=claim)

    assert again.booking_id is None
    assert again.stored_answer == (
        201,
        {
            "id": first.booking_id,
            "session": session.code,
            "status": "confirmed",
            "waitlist_position": None,
        },
    )
    assert Booking.objects.count() == 1


def test_a_key_reused_for_another_request_is_handed_back():
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    quick(person, session, idempotency=IdempotencyClaim("p", "k", "a" * 64))
    before = everything()

    reused = quick(person, session, idempotency=IdempotencyClaim("p", "k", "b" * 64))

    assert reused is None
    assert everything() == before


def test_the_service_takes_the_quick_path_for_a_delegate(django_assert_max_num_queries):
    """One statement and one read back: if the quick path silently fell back,
    the locked path's dozen statements would show here."""
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)

    with django_assert_max_num_queries(2):
        booking = booking_create(
            participant=person, session=session, actor=Actor.delegate()
        )

    assert booking.status == "confirmed"


def test_the_api_asks_the_one_statement_booking_once_before_handing_over(client):
    """A switch with a seat in the way is handed back; the locked path that
    follows must not ask the statement again inside its transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
    asked = [q for q in queries.captured_queries if "majlis_book_seat" in q["sql"]]
    assert len(asked) == 1
