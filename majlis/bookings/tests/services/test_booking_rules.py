"""The booking rules, through the services, on whichever database runs the suite."""

from datetime import timedelta

import pytest
from django.utils import timezone

from majlis.bookings.models import ActorKind, Booking, BookingChange, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    session_set_capacity,
)
from majlis.core.exceptions import (
    AlreadyBooked,
    BookingClosed,
    CapacityBelowConfirmed,
    NotRegistered,
    SessionFull,
    TimeConflict,
)
from majlis.events.models import Session
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db

ME = Actor.delegate()


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def people(event):
    return ParticipantFactory.create_batch(6, event=event)


def seats_taken(session: Session) -> int:
    session.refresh_from_db()
    confirmed = Booking.objects.filter(
        session=session, status=BookingStatus.CONFIRMED
    ).count()
    assert session.seats_taken == confirmed, (
        "the counter must match the confirmed bookings"
    )
    return confirmed


def book(participant, session, **kwargs) -> Booking:
    return booking_create(participant=participant, session=session, actor=ME, **kwargs)


def test_booking_a_free_seat_confirms_it(event, people):
    session = SessionFactory(event=event, capacity=2)
    booking = book(people[0], session)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at is not None
    assert seats_taken(session) == 1


def test_a_full_session_puts_people_on_its_waiting_list_in_order(event, people):
    session = SessionFactory(event=event, capacity=1)
    book(people[0], session)
    second = book(people[1], session)
    third = book(people[2], session)
    assert second.status == third.status == BookingStatus.WAITLISTED
    assert waitlist_position(second) == 1
    assert waitlist_position(third) == 2
    assert seats_taken(session) == 1


def test_a_full_session_without_waiting_list_refuses(event, people):
    session = SessionFactory(event=event, capacity=1, has_waitlist=False)
    book(people[0], session)
    with pytest.raises(SessionFull):
        book(people[1], session)
    assert Booking.objects.filter(participant=people[1]).count() == 0


def test_booking_twice_is_refused_and_names_the_booking(event, people):
    session = SessionFactory(event=event)
    first = book(people[0], session)
    with pytest.raises(AlreadyBooked) as raised:
        book(people[0], session)
    assert raised.value.extra["booking"] == first.pk


def test_overlapping_session_needs_switch_and_names_the_booking_in_the_way(
    event, people
):
    morning = SessionFactory(event=event, code="a")
    same_time = SessionFactory(
        event=event,
        code="b",
        starts_at=morning.starts_at + timedelta(minutes=30),
        ends_at=morning.ends_at + timedelta(minutes=30),
    )
    held = book(people[0], morning)
    with pytest.raises(TimeConflict) as raised:
        book(people[0], same_time)
    assert raised.value.code == "time_conflict"
    assert raised.value.extra == {"booking": held.pk, "session": "a"}
    assert Booking.objects.filter(session=same_time).count() == 0


def test_back_to_back_sessions_and_other_days_do_not_conflict(event, people):
    first = SessionFactory(event=event)
    after = SessionFactory(
        event=event, starts_at=first.ends_at, ends_at=first.ends_at + timedelta(hours=1)
    )
    next_day = SessionFactory(
        event=event,
        starts_at=first.starts_at + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
    )
    for session in (first, after, next_day):
        assert book(people[0], session).status == BookingStatus.CONFIRMED


def test_switch_to_a_free_session_releases_the_old_seat_and_promotes_there(
    event, people
):
    old = SessionFactory(event=event, capacity=1)
    new = SessionFactory(event=event, starts_at=old.starts_at, ends_at=old.ends_at)
    held = book(people[0], old)
    waiting = book(people[1], old)
    moved = book(people[0], new, switch=True)
    assert moved.status == BookingStatus.CONFIRMED
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.CONFIRMED
    assert seats_taken(old) == 1 and seats_taken(new) == 1
    actions = list(
        BookingChange.objects.filter(booking=held).values_list("action", flat=True)
    )
    assert actions == ["booked", "switched_away"]


def test_switch_to_a_full_session_waits_and_keeps_the_old_seat(event, people):
    old = SessionFactory(event=event)
    full = SessionFactory(
        event=event, capacity=1, starts_at=old.starts_at, ends_at=old.ends_at
    )
    held = book(people[0], old)
    book(people[1], full)
    waiting = book(people[0], full, switch=True)
    assert waiting.status == BookingStatus.WAITLISTED
    held.refresh_from_db()
    assert held.status == BookingStatus.CONFIRMED


def test_promotion_releases_the_overlapping_seat_and_cascades(event, people):
    """Waiting means "I would rather have this one": A waits for X holding Y; B
    waits for Y. When X frees a seat, A moves to X and B gets A's seat in Y."""
    a, b, c = people[:3]
    x = SessionFactory(event=event, capacity=1, code="x")
    y = SessionFactory(
        event=event, capacity=1, code="y", starts_at=x.starts_at, ends_at=x.ends_at
    )
    x_holder = book(c, x)
    book(a, y)
    a_waits_x = book(a, x, switch=True)
    b_waits_y = book(b, y)
    assert (a_waits_x.status, b_waits_y.status) == ("waitlisted", "waitlisted")

    booking_cancel(booking=x_holder, actor=ME)

    statuses = dict(
        Booking.objects.filter(participant=a).values_list("session__code", "status")
    )
    assert statuses == {"x": "confirmed", "y": "cancelled"}
    b_waits_y.refresh_from_db()
    assert b_waits_y.status == BookingStatus.CONFIRMED
    assert seats_taken(x) == 1 and seats_taken(y) == 1
    released = Booking.objects.get(participant=a, session=y)
    assert released.changes.last().action == "released_for_preferred"
    assert released.changes.last().actor_kind == ActorKind.PARTICIPANT
    kinds = set(
        OutboxMessage.objects.filter(to_email=a.email).values_list("kind", flat=True)
    )
    assert {"booking_promoted", "booking_released"} <= kinds


def test_cancel_promotes_the_first_waiting_and_notifies_them(event, people):
    session = SessionFactory(event=event, capacity=1)
    held = book(people[0], session)
    first = book(people[1], session)
    second = book(people[2], session)
    booking_cancel(booking=held, actor=ME)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.CONFIRMED
    assert second.status == BookingStatus.WAITLISTED
    assert waitlist_position(second) == 1
    assert OutboxMessage.objects.filter(
        to_email=people[1].email, kind="booking_promoted"
    ).exists()
    assert seats_taken(session) == 1


def test_cancelling_twice_changes_nothing(event, people):
    session = SessionFactory(event=event)
    booking = book(people[0], session)
    booking_cancel(booking=booking, actor=ME)
    changes = BookingChange.objects.count()
    again = booking_cancel(booking=booking, actor=ME)
    assert again.status == BookingStatus.CANCELLED
    assert BookingChange.objects.count() == changes
    assert seats_taken(session) == 0


def test_a_cancelled_delegate_can_book_again(event, people):
    session = SessionFactory(event=event)
    booking_cancel(booking=book(people[0], session), actor=ME)
    assert book(people[0], session).status == BookingStatus.CONFIRMED


def test_raising_capacity_promotes_from_the_waiting_list_at_once(event, people):
    session = SessionFactory(event=event, capacity=1)
    book(people[0], session)
    waiting = book(people[1], session)
    session_set_capacity(session=session, capacity=2, actor=Actor.system())
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    assert seats_taken(session) == 2
    assert waiting.changes.last().actor_kind == ActorKind.SYSTEM


def test_lowering_capacity_below_the_confirmed_count_is_refused(event, people):
    session = SessionFactory(event=event, capacity=3)
    book(people[0], session)
    book(people[1], session)
    with pytest.raises(CapacityBelowConfirmed) as raised:
        session_set_capacity(session=session, capacity=1, actor=Actor.system())
    assert "2 confirmed" in str(raised.value.message)
    session.refresh_from_db()
    assert session.capacity == 3
    session_set_capacity(session=session, capacity=2, actor=Actor.system())
    session.refresh_from_db()
    assert session.capacity == 2


def test_booking_window_before_opening_and_after_closing(people):
    event = people[0].event
    session = SessionFactory(event=event)
    event.booking_opens_at = timezone.now() + timedelta(days=1)
    event.save()
    with pytest.raises(BookingClosed) as raised:
        book(people[0], session)
    assert "opens" in str(raised.value.message)
    event.booking_opens_at = None
    event.booking_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    with pytest.raises(BookingClosed) as raised:
        book(people[0], session)
    assert "closed" in str(raised.value.message)
    assert Booking.objects.count() == 0


def test_by_default_booking_closes_when_the_session_starts_except_in_a_demo(
    event, people
):
    started = SessionFactory(
        event=event,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    with pytest.raises(BookingClosed):
        book(people[0], started)
    event.is_demo = True
    event.save()
    assert book(people[0], started).status == BookingStatus.CONFIRMED


def test_only_the_events_delegates_can_book(event):
    session = SessionFactory(event=event)
    outsider = ParticipantFactory()
    with pytest.raises(NotRegistered):
        book(outsider, session)


def test_every_change_is_audited_and_messaged_in_the_same_transaction(event, people):
    session = SessionFactory(event=event, capacity=1)
    booking = book(people[0], session)
    change = BookingChange.objects.get(booking=booking)
    assert (change.action, change.from_status, change.to_status, change.actor_kind) == (
        "booked",
        "",
        "confirmed",
        "participant",
    )
    message = OutboxMessage.objects.get(to_email=people[0].email)
    assert (message.kind, message.language, message.payload) == (
        "booking_confirmed",
        "en",
        {"booking": booking.pk},
    )


def test_a_refused_booking_writes_nothing(event, people):
    session = SessionFactory(event=event, capacity=1, has_waitlist=False)
    book(people[0], session)
    before = (
        Booking.objects.count(),
        BookingChange.objects.count(),
        OutboxMessage.objects.count(),
    )
    with pytest.raises(SessionFull):
        book(people[1], session)
    after = (
        Booking.objects.count(),
        BookingChange.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert before == after


def test_sessions_of_other_events_never_conflict(people):
    session = SessionFactory(
        event=people[0].event,
        starts_at=afternoon(),
        ends_at=afternoon() + timedelta(hours=2),
    )
    elsewhere = SessionFactory(starts_at=session.starts_at, ends_at=session.ends_at)
    other_me = ParticipantFactory(event=elsewhere.event, email=people[0].email)
    assert book(people[0], session).status == BookingStatus.CONFIRMED
    assert book(other_me, elsewhere).status == BookingStatus.CONFIRMED
