"""Cancelling a booking, and moving one on a delegate's behalf: the freed seat
goes to the first person waiting, in the same transaction."""

from django.db import transaction
from django.utils import timezone

from majlis.bookings import engine
from majlis.bookings.locking import (
    busy_means_try_again,
    lock_overlap_group,
    lock_sessions,
    overlap_group_ids,
)
from majlis.bookings.models import Booking, BookingChange, BookingStatus
from majlis.bookings.services.booking import (
    DatabaseBooking,
    book_refusal,
    booking_create,
)
from majlis.bookings.services.changes import (
    Actor,
    Change,
    delegate_change_count,
    fill_free_seats,
    release_seat,
)
from majlis.events.models import Event, Session
from majlis.events.rules import booking_closed, booking_window_check


def booking_cancel(
    *,
    booking: Booking,
    actor: Actor,
    enforce_window: bool = True,
    counted: bool = True,
) -> Booking:
    """Cancel a booking; a freed seat goes to the first waiting delegate at once.

    Cancelling a cancelled booking changes nothing and returns it. Locks the
    session's overlap group (on PostgreSQL inside one statement,
    majlis/bookings/sql/cancel_v2.sql). Raises ``BookingClosed`` or
    ``TryAgain``, and ``TooManyRequests`` past the delegate's own
    ``MAJLIS_LIMIT_BOOKING_CHANGES``, unless not ``counted``: one of the
    cancellations of a single request, such as deleting the account.
    """
    if counted:
        delegate_change_count(actor=actor, participant_id=booking.participant_id)
    if not engine.database_decides():
        return _booking_cancel_locked(
            booking=booking, actor=actor, enforce_window=enforce_window
        )
    ((outcome, refusal, when),) = engine.call(
        "majlis_cancel_v2",
        [
            booking.pk,
            enforce_window,
            engine.lock_timeout(),
            *engine.actor_arguments(actor),
        ],
    )
    if outcome == "not_found":
        raise Booking.DoesNotExist()
    if outcome == "refused":
        event = Event.objects.get(sessions__bookings=booking.pk)
        if refusal == "booking_not_open":
            raise booking_closed(event=event, opens_at=when)
        raise booking_closed(event=event, closed_at=when)
    return Booking.objects.select_related("participant").get(pk=booking.pk)


@busy_means_try_again
@transaction.atomic
def _booking_cancel_locked(
    *, booking: Booking, actor: Actor, enforce_window: bool
) -> Booking:
    """The Python engine of :func:`booking_cancel`: SQLite's, and on
    PostgreSQL the differential test's."""
    sessions = lock_overlap_group(booking.session)
    now = timezone.now()
    booking = Booking.objects.select_related("participant").get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    session = sessions[booking.session_id]
    if enforce_window:
        booking_window_check(event=session.event, session=session, now=now)
    change = Change(now=now, actor=actor, sessions=sessions)
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    if was_confirmed:
        release_seat(change, booking, BookingChange.Action.CANCELLED)
    else:
        from_status = booking.status
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        change.record(booking, BookingChange.Action.CANCELLED, from_status)
    change.notify(booking, "booking_cancelled")
    if was_confirmed:
        fill_free_seats(change, [session.pk])
    change.save_counters()
    return booking


def booking_move(*, booking: Booking, to_session: Session, actor: Actor) -> Booking:
    """Move a delegate's booking to another session of the event, on their behalf.

    If the other session has a seat, the delegate takes it and the old booking
    is cancelled (its seat goes to the first person waiting there); if it is
    full, they wait for it and keep what they hold. Locks both overlap groups
    first, in primary-key order (on PostgreSQL inside one statement,
    majlis/bookings/sql/move_booking_v1.sql). Raises what ``booking_create``
    raises.
    """
    if not engine.database_decides():
        return _booking_move_locked(booking=booking, to_session=to_session, actor=actor)
    (row,) = engine.call(
        "majlis_move_booking_v1",
        [
            booking.pk,
            to_session.pk,
            engine.lock_timeout(),
            *engine.actor_arguments(actor),
        ],
    )
    moved = DatabaseBooking(*row)
    if moved.outcome != "booked":
        raise book_refusal(
            moved, event=lambda: to_session.event, access_needs=booking.access_needs
        )
    return moved.booking()


@busy_means_try_again
@transaction.atomic
def _booking_move_locked(
    *, booking: Booking, to_session: Session, actor: Actor
) -> Booking:
    lock_sessions(
        set(overlap_group_ids(booking.session)) | set(overlap_group_ids(to_session))
    )
    moved = booking_create(
        participant=booking.participant,
        session=to_session,
        actor=actor,
        switch=True,
        enforce_window=False,
        access_needs=list(booking.access_needs),
        access_needs_note=booking.access_needs_note,
    )
    if moved.status == BookingStatus.CONFIRMED:
        old = Booking.objects.get(pk=booking.pk)
        if old.status != BookingStatus.CANCELLED:
            booking_cancel(booking=old, actor=actor, enforce_window=False)
    return moved
