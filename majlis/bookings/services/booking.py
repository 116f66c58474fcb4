"""Booking a seat (or a place on the waiting list), switching, and the access
needs a delegate states with a booking."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import Participant
from majlis.bookings.locking import (
    busy_means_try_again,
    lock_overlap_group,
    sessions_overlapping,
)
from majlis.bookings.models import (
    AccessNeed,
    ActorKind,
    Booking,
    BookingChange,
    BookingStatus,
)
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services.changes import (
    Actor,
    Change,
    checked_access_needs,
    confirmed_bookings_in,
    delegate_change_count,
    fill_free_seats,
    release_seat,
)
from majlis.core.exceptions import (
    AlreadyBooked,
    NotRegistered,
    SessionFull,
    TimeConflict,
    TooEarly,
    TryAgain,
)
from majlis.events.models import Session
from majlis.events.rules import booking_window_check


@dataclass(frozen=True)
class IdempotencyClaim:
    """The ``Idempotency-Key`` of an API request: who sent it, the key, and a
    fingerprint of the request, so a reused key with another request is refused."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class QuickBooking:
    """What the one-statement booking did: a booking, or (for a key already
    used by the same request) the answer stored the first time."""

    booking_id: int | None = None
    status: str | None = None
    waitlist_position: int | None = None
    stored_answer: tuple[int, dict] | None = None


def booking_create_quick(
    *,
    participant: Participant,
    event_id: int,
    session_code: str,
    access_needs: list[str],
    access_needs_note: str,
    enforce_window: bool = True,
    idempotency: IdempotencyClaim | None = None,
) -> QuickBooking | None:
    """The common booking in one statement, on PostgreSQL; ``None`` when the
    case needs :func:`booking_create` (or on SQLite), having changed nothing.

    A delegate's booking with nothing of theirs in the way is the whole of a
    flash crowd: run as one statement (majlis/bookings/sql/book_seat_v2.sql),
    the session's lock is held only inside PostgreSQL, never across a round
    trip to a busy Python process (docs/adr/0002-one-statement-booking.md).
    Raises ``TryAgain`` when the lock stays busy.
    """
    if connection.vendor != "postgresql" or participant.event_id != event_id:
        return None
    if any(need not in AccessNeed.values for need in access_needs):
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM majlis_book_seat_v2"
                "(%s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)",
                [
                    participant.pk,
                    event_id,
                    session_code,
                    json.dumps(checked_access_needs(access_needs)),
                    access_needs_note.strip(),
                    enforce_window,
                    f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms",
                    idempotency.principal if idempotency else None,
                    idempotency.key if idempotency else None,
                    idempotency.fingerprint if idempotency else None,
                ],
            )
            outcome, booking_id, status, position, stored_status, stored_body = (
                cursor.fetchone()
            )
    except OperationalError as error:
        raise TryAgain() from error
    if outcome == "duplicate":
        # Django's PostgreSQL backend hands jsonb over as text, for its own decoder.
        body = json.loads(stored_body) if isinstance(stored_body, str) else stored_body
        return QuickBooking(stored_answer=(stored_status, dict(body or {})))
    if outcome == "booked":
        return QuickBooking(booking_id, status, position)
    return None


def booking_create(
    *,
    participant: Participant,
    session: Session,
    actor: Actor,
    switch: bool = False,
    access_needs: list[str] | None = None,
    access_needs_note: str = "",
    enforce_window: bool = True,
    walk_in: bool = False,
    quick_tried: bool = False,
) -> Booking:
    """Book a seat, or a place on the waiting list when the session is full.

    With ``switch``, a seat held in an overlapping session is released in the
    same transaction if the new session has a seat; if it is full, the
    delegate waits for it and keeps the old seat. Locks the session's overlap
    group. Raises ``NotRegistered``, ``BookingClosed``, ``AlreadyBooked``,
    ``TimeConflict``, ``SessionFull`` or ``TryAgain``. A delegate's own booking
    first tries :func:`booking_create_quick`, unless the caller just did
    (``quick_tried``) and was handed the case back.
    """
    if actor.kind == ActorKind.PARTICIPANT and not walk_in and not quick_tried:
        quick = booking_create_quick(
            participant=participant,
            event_id=session.event_id,
            session_code=session.code,
            access_needs=access_needs or [],
            access_needs_note=access_needs_note,
            enforce_window=enforce_window,
        )
        if quick is not None and quick.booking_id is not None:
            return Booking.objects.select_related("session", "participant").get(
                pk=quick.booking_id
            )
    return _booking_create_locked(
        participant=participant,
        session=session,
        actor=actor,
        switch=switch,
        access_needs=access_needs,
        access_needs_note=access_needs_note,
        enforce_window=enforce_window,
        walk_in=walk_in,
    )


@busy_means_try_again
@transaction.atomic
def _booking_create_locked(
    *,
    participant: Participant,
    session: Session,
    actor: Actor,
    switch: bool,
    access_needs: list[str] | None,
    access_needs_note: str,
    enforce_window: bool,
    walk_in: bool,
) -> Booking:
    if participant.event_id != session.event_id:
        raise NotRegistered()
    # The caller's copy may be seconds old (the API remembers tokens): the
    # messages go to the delegate's address and language as they are now.
    participant = Participant.objects.get(pk=participant.pk)
    sessions = lock_overlap_group(session)
    now = timezone.now()  # after the lock, so times follow the order of changes
    session = sessions[session.pk]
    if enforce_window:
        booking_window_check(event=session.event, session=session, now=now)
    change = Change(now=now, actor=actor, sessions=sessions)

    existing = (
        Booking.objects.filter(
            participant=participant,
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .only("pk", "status")
        .first()
    )
    if existing is not None:
        raise AlreadyBooked(extra={"booking": existing.pk, "status": existing.status})

    in_the_way = confirmed_bookings_in(
        participant, sessions_overlapping(session, list(sessions.values()))
    )
    if in_the_way and not switch:
        blocking = in_the_way[0]
        raise TimeConflict(
            extra={
                "booking": blocking.pk,
                "session": sessions[blocking.session_id].code,
            }
        )

    has_seat = session.seats_taken < session.capacity
    if walk_in:
        if now < session.no_show_release_at:
            raise TooEarly(
                _("Seats are given at the door once absent delegates can be released.")
            )
        if not has_seat:
            raise SessionFull(_("There is no free seat left in this session."))
    if not has_seat and not session.has_waitlist:
        raise SessionFull()

    booking = Booking(
        participant=participant,
        session=session,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        created_at=now,
        access_needs=checked_access_needs(access_needs or []),
        access_needs_note=access_needs_note.strip(),
    )
    if has_seat:
        # Release first: PostgreSQL checks the no-overlap constraint per statement.
        for held in in_the_way:
            release_seat(change, held, BookingChange.Action.SWITCHED_AWAY)
            change.notify(held, "booking_switched_away", to_session=session.code)
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
        booking.save()
        session.seats_taken += 1
        change.touched_sessions.add(session.pk)
        change.record(
            booking,
            BookingChange.Action.WALK_IN if walk_in else BookingChange.Action.BOOKED,
            "",
        )
        change.notify(booking, "booking_confirmed")
        fill_free_seats(change, sorted({held.session_id for held in in_the_way}))
    else:
        booking.status = BookingStatus.WAITLISTED
        booking.waitlisted_at = now
        booking.save()
        change.record(booking, BookingChange.Action.WAITLISTED, "")
        change.notify(
            booking, "booking_waitlisted", position=waitlist_position(booking)
        )
    change.save_counters()
    return booking


@busy_means_try_again
@transaction.atomic
def booking_update_access_needs(
    *, booking: Booking, needs: list[str], note: str, actor: Actor
) -> Booking:
    """Change what a delegate needs to take part; recorded in the audit trail.

    Touches no seat, so it locks only the booking's row. Raises ``InvalidInput``
    for an unknown need, ``TooManyRequests`` past the delegate's own
    ``MAJLIS_LIMIT_BOOKING_CHANGES``.
    """
    delegate_change_count(actor=actor, participant_id=booking.participant_id)
    checked = checked_access_needs(needs)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=booking.pk)
    )
    booking.access_needs = checked
    booking.access_needs_note = note.strip()[:500]
    booking.save(update_fields=["access_needs", "access_needs_note"])
    change = Change(now=timezone.now(), actor=actor, sessions={})
    change.record(booking, BookingChange.Action.ACCESS_NEEDS, booking.status)
    return booking
