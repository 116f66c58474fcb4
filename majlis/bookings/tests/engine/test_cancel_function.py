"""The cancellation function on PostgreSQL (majlis/bookings/sql/cancel_v2.sql,
docs/adr/0005-one-engine-per-database.md): one statement decides every case,
cascades included, and a refusal changes nothing and keeps no lock. The
differential test compares its rows with the Python engine's."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from majlis.bookings.models import Booking, BookingChange
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    session_move,
)
from majlis.core.exceptions import BookingClosed
from majlis.events.models import Session
from majlis.outbox.models import OutboxMessage
from majlis.testing.concurrency import row_lock_taken
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgres")]


def book(person, session, *, switch=False) -> Booking:
    return booking_create(
        participant=person, session=session, actor=Actor.delegate(), switch=switch
    )


def a_full_morning() -> dict[str, Booking]:
    """Three overlapping sessions, one seat each, and a chain of people waiting.

    A 9-11, B 10-12 and C 11:30-13:30 form one overlap group (A and C only
    through B). When the leaver gives up A, first moves up into A and gives up
    B, second moves up into B and gives up C, third moves up into C; fourth
    still waits for A, one place further up. The bystander's afternoon session
    is another group and must not move.
    """
    event = EventFactory()
    a = SessionFactory(event=event, code="a", capacity=1, starts_at=afternoon(hour=9))
    b = SessionFactory(event=event, code="b", capacity=1, starts_at=afternoon(hour=10))
    c = SessionFactory(
        event=event, code="c", capacity=1, starts_at=afternoon(hour=11, minute=30)
    )
    later = SessionFactory(event=event, code="later", starts_at=afternoon(hour=16))
    people = {
        name: ParticipantFactory(
            event=event, email=f"{name}-{event.pk}@example.org", language=language
        )
        for name, language in [
            ("leaver", "en"),
            ("first", "fr"),
            ("second", "es"),
            ("third", "ar"),
            ("fourth", "en"),
            ("bystander", "fr"),
        ]
    }
    return {
        "leaver": book(people["leaver"], a),
        "first_holds": book(people["first"], b),
        "second_holds": book(people["second"], c),
        "first_waits": book(people["first"], a, switch=True),
        "second_waits": book(people["second"], b, switch=True),
        "third_waits": book(people["third"], c),
        "fourth_waits": book(people["fourth"], a),
        "bystander": book(people["bystander"], later),
    }


def test_a_freed_seat_cascades_through_the_whole_group():
    """What the cascade does, spelled out once (the test above only compares)."""
    morning = a_full_morning()

    booking_cancel(booking=morning["leaver"], actor=Actor.delegate())

    status = {
        name: Booking.objects.get(pk=booking.pk).status
        for name, booking in morning.items()
    }
    assert status == {
        "leaver": "cancelled",
        "first_holds": "cancelled",
        "second_holds": "cancelled",
        "first_waits": "confirmed",
        "second_waits": "confirmed",
        "third_waits": "confirmed",
        "fourth_waits": "waitlisted",
        "bystander": "confirmed",
    }
    counters = dict(
        Session.objects.filter(event_id=morning["leaver"].session.event_id)
        .values_list("code", "seats_taken")
        .order_by()
    )
    assert counters == {"a": 1, "b": 1, "c": 1, "later": 1}
    assert list(
        OutboxMessage.objects.filter(created_at__gte=morning["bystander"].created_at)
        .order_by("pk")
        .values_list("kind", flat=True)
    )[-7:] == [
        "booking_confirmed",  # the bystander's own booking
        "booking_cancelled",
        "booking_released",  # first's seat in B
        "booking_promoted",  # first, into A
        "booking_released",  # second's seat in C
        "booking_promoted",  # second, into B
        "booking_promoted",  # third, into C
    ]


def test_the_service_is_one_statement(django_assert_max_num_queries):
    """One statement and one read back: no Python decides anything."""
    morning = a_full_morning()

    with django_assert_max_num_queries(2):
        cancelled = booking_cancel(booking=morning["leaver"], actor=Actor.delegate())

    assert cancelled.status == "cancelled"
    assert Booking.objects.get(pk=morning["first_waits"].pk).status == "confirmed"


def everything() -> tuple[list, list, list, list]:
    return (
        list(Booking.objects.order_by("pk").values()),
        list(BookingChange.objects.order_by("pk").values()),
        list(OutboxMessage.objects.order_by("pk").values()),
        list(Session.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    "case",
    [
        "already cancelled",
        "booking closed",
        "booking not open yet",
        "the session has started",
        "unknown booking",
    ],
)
def test_every_refusal_changes_nothing(case):
    morning = a_full_morning()
    booking = morning["leaver"]
    event = booking.session.event
    if case == "already cancelled":
        booking_cancel(booking=booking, actor=Actor.delegate())
    elif case == "booking closed":
        event.booking_closes_at = timezone.now() - timedelta(minutes=1)
        event.save()
    elif case == "booking not open yet":
        event.booking_opens_at = timezone.now() + timedelta(minutes=1)
        event.save()
    elif case == "the session has started":  # with no closing time, its start
        _start_the_morning_a_minute_ago(booking)
    else:
        booking = Booking(pk=booking.pk + 1000)
    before = everything()

    if case == "already cancelled":
        assert booking_cancel(booking=booking, actor=Actor.delegate()).status == (
            "cancelled"
        )
    elif case == "unknown booking":
        with pytest.raises(Booking.DoesNotExist):
            booking_cancel(booking=booking, actor=Actor.delegate())
    else:
        with pytest.raises(BookingClosed) as refused:
            booking_cancel(booking=booking, actor=Actor.delegate())
        assert ("opens" if "not open" in case else "closed") in str(
            refused.value.message
        )

    assert everything() == before


def test_a_demo_conference_may_cancel_after_the_start():
    """A demonstration has no closing time: its sessions may have begun."""
    morning = a_full_morning()
    event = morning["leaver"].session.event
    event.is_demo = True
    event.save()
    _start_the_morning_a_minute_ago(morning["leaver"])

    assert booking_cancel(booking=morning["leaver"], actor=Actor.delegate()).status == (
        "cancelled"
    )


def _start_the_morning_a_minute_ago(booking: Booking) -> None:
    """Move the booking's event back in time, every session and booking
    alike, until the booking's session began a minute ago."""
    shift = booking.session.starts_at - (timezone.now() - timedelta(minutes=1))
    for session in Session.objects.filter(event_id=booking.session.event_id):
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
        )
        Booking.objects.filter(session=session).update(
            starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
        )


def test_outside_the_window_the_back_office_may_still_cancel():
    morning = a_full_morning()
    event = morning["leaver"].session.event
    event.booking_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()

    with pytest.raises(BookingClosed):
        booking_cancel(booking=morning["fourth_waits"], actor=Actor.delegate())
    cancelled = booking_cancel(
        booking=morning["fourth_waits"], actor=Actor.delegate(), enforce_window=False
    )
    assert cancelled.status == "cancelled"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refused", [True, False])
def test_a_refused_cancellation_keeps_no_lock_in_the_callers_transaction(refused):
    """Refused, nothing of the group stays locked. Done, the whole group stays
    locked to the caller's commit, even the sessions it wrote nothing to (a
    waiting place given up changes one session's counter)."""
    morning = a_full_morning()
    leaving = morning["fourth_waits"]
    if refused:
        booking_cancel(booking=leaving, actor=Actor.delegate())
    group = [morning[name].session for name in ("leaver", "first_holds", "third_waits")]

    with transaction.atomic():
        booking_cancel(booking=leaving, actor=Actor.delegate())
        assert [row_lock_taken(session) for session in group] == [not refused] * 3
        assert not row_lock_taken(morning["bystander"].session)


@pytest.mark.django_db(transaction=True)
def test_a_session_moved_into_the_group_while_it_waited_is_locked_too():
    """The group is worked out before the lock is taken: a session moved into
    it meanwhile is found when the group is worked out again under the lock,
    and locked too, so that the cascade may reach it."""
    morning = a_full_morning()
    later = morning["bystander"].session
    answer: dict[str, object] = {}

    def cancel() -> None:
        try:
            answer["status"] = booking_cancel(
                booking=morning["leaver"], actor=Actor.delegate()
            ).status
        finally:
            connections.close_all()

    waiter = threading.Thread(target=cancel)
    with transaction.atomic():
        session_move(
            session=later,
            starts_at=afternoon(hour=10),
            ends_at=afternoon(hour=12),
            actor=Actor.system(),
        )
        waiter.start()
        _wait_until_someone_waits_for_a_lock()
    waiter.join(timeout=30)

    assert answer == {"status": "cancelled"}
    assert Booking.objects.get(pk=morning["first_waits"].pk).status == "confirmed"


def _wait_until_someone_waits_for_a_lock() -> None:
    from django.db import connection

    for _poll in range(300):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            (waiting,) = cursor.fetchone()
        if waiting:
            return
        time.sleep(0.01)
    raise AssertionError("nobody waited for the lock")


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    slots=st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 12)), min_size=1, max_size=8
    )
)
def test_the_database_works_out_the_same_overlap_groups(slots):
    """majlis_overlap_group_v2 against overlap_group_ids, on random timetables
    of quarter hours (ties, touching ends and chains included), as they are
    and with the first session moved to the last slot."""
    from django.db import connection

    from majlis.bookings.locking import overlap_group_ids

    with transaction.atomic():
        event = EventFactory()
        origin = afternoon(hour=8)
        sessions = [
            SessionFactory(
                event=event,
                starts_at=origin + timedelta(minutes=15 * start),
                ends_at=origin + timedelta(minutes=15 * (start + length)),
            )
            for start, length in slots
        ]
        moved_to = (sessions[-1].starts_at, sessions[-1].ends_at)
        for session in sessions:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT majlis_overlap_group_v2(%s, %s, NULL, NULL), "
                    "majlis_overlap_group_v2(%s, %s, %s, %s)",
                    [event.pk, session.pk, event.pk, session.pk, *moved_to],
                )
                as_it_is, moved = cursor.fetchone()
            assert as_it_is == overlap_group_ids(session)
            assert moved == overlap_group_ids(session, moved_to=moved_to)
        transaction.set_rollback(True)
