"""Cancelling a booking, and moving one on a delegate's behalf: the freed seat
goes to the first person waiting, in the same transaction."""

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from majlis.bookings.locking import (
    busy_means_try_again,
    lock_overlap_group,
    lock_sessions,
    overlap_group_ids,
)
from majlis.bookings.models import Booking, BookingChange, BookingStatus
from majlis.bookings.services.booking import booking_create
from majlis.bookings.services.changes import (
    Actor,
    Change,
    delegate_change_count,
    fill_free_seats,
    release_seat,
)
from majlis.core.exceptions import TryAgain
from majlis.events.models import Session
from majlis.events.rules import booking_window_check


@busy_means_try_again
def booking_cancel(
    *, booking: Booking, actor: Actor, enforce_window: bool = True
) -> Booking:
    """Cancel a booking; a freed seat goes to the first waiting delegate at once.

    Cancelling a cancelled booking changes nothing and returns it. Locks the
    session's overlap group. Raises ``BookingClosed`` or ``TryAgain``, and
    ``TooManyRequests`` past the delegate's own ``MAJLIS_LIMIT_BOOKING_CHANGES``.
    Tries :func:`booking_cancel_quick` first.
    """
    delegate_change_count(actor=actor, participant_id=booking.participant_id)
    if booking_cancel_quick(
        booking=booking, actor=actor, enforce_window=enforce_window
    ):
        return Booking.objects.select_related("participant").get(pk=booking.pk)
    return _booking_cancel_locked(
        booking=booking, actor=actor, enforce_window=enforce_window
    )


def booking_cancel_quick(
    *, booking: Booking, actor: Actor, enforce_window: bool = True
) -> bool:
    """The whole cancellation, cascades included, in one statement on
    PostgreSQL; ``False`` when the case needs the locked path (or on SQLite),
    having changed nothing.

    The overlap group's lock is held only inside PostgreSQL, never across the
    round trips of a promotion and its cascade
    (majlis/bookings/sql/cancel_booking_v1.sql,
    docs/adr/0004-one-statement-cancellation.md). Raises ``TryAgain`` when the
    lock stays busy.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT majlis_cancel_booking_v1(%s, %s, %s, %s, %s, %s)",
                [
                    booking.pk,
                    enforce_window,
                    f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms",
                    actor.kind.value,
                    actor.user.pk if actor.user else None,
                    actor.api_key.pk if actor.api_key else None,
                ],
            )
            (outcome,) = cursor.fetchone()
    except OperationalError as error:
        raise TryAgain() from error
    return bool(outcome == "cancelled")


@busy_means_try_again
@transaction.atomic
def _booking_cancel_locked(
    *, booking: Booking, actor: Actor, enforce_window: bool
) -> Booking:
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


@busy_means_try_again
@transaction.atomic
def booking_move(*, booking: Booking, to_session: Session, actor: Actor) -> Booking:
    """Move a delegate's booking to another session of the event, on their behalf.

    If the other session has a seat, the delegate takes it and the old booking
    is cancelled (its seat goes to the first person waiting there); if it is
    full, they wait for it and keep what they hold. Locks both overlap groups
    first, in primary-key order. Raises what ``booking_create`` raises.
    """
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
