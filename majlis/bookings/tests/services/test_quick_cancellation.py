"""The one-statement cancellation on PostgreSQL
(docs/adr/0004-one-statement-cancellation.md).

It must write exactly what the locked Python path writes, cascades included,
and change nothing at all for the cases it hands back.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from majlis.accounts.models import ApiKey
from majlis.bookings.models import Booking, BookingChange
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_cancel_quick,
    booking_create,
    session_move,
)
from majlis.bookings.services.cancellation import _booking_cancel_locked
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


def what_changed(bookings: dict[str, Booking], since: tuple[int, int]):
    """Every row the cancellation wrote or changed, with ids turned into the
    roles of :func:`a_full_morning`, so two runs can be compared."""
    role = {booking.pk: name for name, booking in bookings.items()}
    event = bookings["leaver"].session.event_id
    changes = list(
        BookingChange.objects.filter(pk__gt=since[0])
        .order_by("pk")
        .values_list(
            "booking_id",
            "action",
            "from_status",
            "to_status",
            "actor_kind",
            "actor_user__username",
            "actor_api_key__name",
            "at",
        )
    )
    moments = {change[-1] for change in changes}
    assert len(moments) == 1, "one transaction, one moment"
    (now,) = moments
    messages = [
        (
            kind,
            to_email.split("-")[0],
            language,
            {key: role[value] for key, value in payload.items()},
        )
        for kind, to_email, language, payload in OutboxMessage.objects.filter(
            pk__gt=since[1]
        )
        .order_by("pk")
        .values_list("kind", "to_email", "language", "payload")
    ]
    rows = {
        role[b.pk]: (
            b.status,
            b.cancelled_at == now if b.cancelled_at else None,
            b.confirmed_at == now if b.confirmed_at else None,
        )
        for b in Booking.objects.filter(session__event_id=event)
    }
    counters = sorted(
        Session.objects.filter(event_id=event).values_list(
            "code", "seats_taken", "waitlist_length"
        )
    )
    return (
        [(role[c[0]], *c[1:-1]) for c in changes],
        messages,
        rows,
        counters,
    )


def high_water() -> tuple[int, int]:
    return (
        BookingChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )


def actor_of(kind: str) -> Actor:
    if kind == "organiser":
        return Actor.organiser(User.objects.create_user("organiser"))
    if kind == "integration":
        return Actor.integration(
            ApiKey.objects.create(name="registration", key_hash="x")
        )
    return Actor.delegate()


@pytest.mark.parametrize("actor_kind", ["delegate", "organiser", "integration"])
@pytest.mark.parametrize("leaving", ["leaver", "fourth_waits", "first_holds"])
def test_the_same_rows_as_the_locked_path(actor_kind, leaving):
    """The whole cascade through one statement and through the locked path,
    on two identical mornings: the same audit rows, messages, bookings and
    counters, in the same order."""
    actor = actor_of(actor_kind)
    quick_morning, locked_morning = a_full_morning(), a_full_morning()

    since = high_water()
    assert booking_cancel_quick(booking=quick_morning[leaving], actor=actor)
    by_quick = what_changed(quick_morning, since)
    since = high_water()
    _booking_cancel_locked(
        booking=locked_morning[leaving], actor=actor, enforce_window=True
    )
    by_locked = what_changed(locked_morning, since)

    assert by_quick == by_locked


def test_a_seat_in_the_group_at_another_time_is_kept_by_the_promoted():
    """The cascade gives up only the seat held at the same time: a seat in a
    session of the same group that does not overlap the freed one stays."""

    def morning() -> dict[str, Booking]:
        event = EventFactory()
        a = SessionFactory(event=event, capacity=1, starts_at=afternoon(hour=9))
        SessionFactory(event=event, starts_at=afternoon(hour=10))  # links A and C
        c = SessionFactory(
            event=event, capacity=1, starts_at=afternoon(hour=11, minute=30)
        )
        leaver, promoted = ParticipantFactory.create_batch(2, event=event)
        return {
            "leaver": book(leaver, a),
            "kept": book(promoted, c),
            "waits": book(promoted, a),
        }

    quick_morning, locked_morning = morning(), morning()
    assert booking_cancel_quick(booking=quick_morning["leaver"], actor=Actor.delegate())
    _booking_cancel_locked(
        booking=locked_morning["leaver"], actor=Actor.delegate(), enforce_window=True
    )

    for bookings in (quick_morning, locked_morning):
        assert {
            name: Booking.objects.get(pk=booking.pk).status
            for name, booking in bookings.items()
        } == {"leaver": "cancelled", "kept": "confirmed", "waits": "confirmed"}


def test_a_freed_seat_cascades_through_the_whole_group():
    """What the cascade does, spelled out once (the test above only compares)."""
    morning = a_full_morning()

    booking_cancel_quick(booking=morning["leaver"], actor=Actor.delegate())

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


def test_the_service_takes_the_quick_path(django_assert_max_num_queries):
    """One statement and one read back: if the quick path silently fell back,
    the locked path's statements would show here."""
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
def test_every_other_case_is_handed_back_having_changed_nothing(case):
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

    assert not booking_cancel_quick(booking=booking, actor=Actor.delegate())

    assert everything() == before


def test_a_demo_conference_may_cancel_after_the_start():
    """A demonstration has no closing time: its sessions may have begun."""
    morning = a_full_morning()
    event = morning["leaver"].session.event
    event.is_demo = True
    event.save()
    _start_the_morning_a_minute_ago(morning["leaver"])

    assert booking_cancel_quick(booking=morning["leaver"], actor=Actor.delegate())


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


def test_the_service_still_answers_the_handed_back_cases():
    morning = a_full_morning()
    event = morning["leaver"].session.event
    cancelled = booking_cancel(booking=morning["leaver"], actor=Actor.delegate())
    again = booking_cancel(booking=cancelled, actor=Actor.delegate())
    assert again.status == "cancelled"

    event.booking_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    from majlis.core.exceptions import BookingClosed

    with pytest.raises(BookingClosed):
        booking_cancel(booking=morning["fourth_waits"], actor=Actor.delegate())
    assert booking_cancel_quick(
        booking=morning["fourth_waits"], actor=Actor.delegate(), enforce_window=False
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("handed_back", [True, False])
def test_a_handed_back_cancellation_keeps_no_lock_in_the_callers_transaction(
    handed_back,
):
    """Handed back, nothing of the group may stay locked: the locked path that
    follows takes the group in id order, and a row held out of turn could
    deadlock. Done, the whole group stays locked to the caller's commit, even
    the sessions it wrote nothing to (a waiting place given up changes one
    session's counter)."""
    morning = a_full_morning()
    leaving = morning["fourth_waits"]
    if handed_back:
        booking_cancel(booking=leaving, actor=Actor.delegate())
    group = [morning[name].session for name in ("leaver", "first_holds", "third_waits")]

    with transaction.atomic():
        done = booking_cancel_quick(booking=leaving, actor=Actor.delegate())
        assert done is not handed_back
        assert [row_lock_taken(session) for session in group] == [not handed_back] * 3
        assert not row_lock_taken(morning["bystander"].session)


@pytest.mark.django_db(transaction=True)
def test_a_session_moved_into_the_group_while_it_waited_hands_the_case_back():
    """The group is worked out before the lock is taken: a session moved into
    it meanwhile would be left unlocked, so the function works the group out
    again under the lock and hands the case to the locked path, which locks
    the newcomer too."""
    morning = a_full_morning()
    later = morning["bystander"].session
    answer: dict[str, object] = {}

    def cancel() -> None:
        try:
            answer["done"] = booking_cancel_quick(
                booking=morning["leaver"], actor=Actor.delegate()
            )
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

    assert answer == {"done": False}
    assert Booking.objects.get(pk=morning["leaver"].pk).status == "confirmed"
    booking_cancel(booking=morning["leaver"], actor=Actor.delegate())
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
    """majlis_overlap_group_v1 against overlap_group_ids, on random timetables
    of quarter hours (ties, touching ends and chains included)."""
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
        for session in sessions:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT majlis_overlap_group_v1(%s, %s)", [event.pk, session.pk]
                )
                (in_the_database,) = cursor.fetchone()
            assert in_the_database == overlap_group_ids(session)
        transaction.set_rollback(True)
