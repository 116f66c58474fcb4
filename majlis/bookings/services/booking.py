"""Booking a seat (or a place on the waiting list), switching, and the access
needs a delegate states with a booking."""

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import Participant
from majlis.bookings import engine
from majlis.bookings.locking import (
    busy_means_try_again,
    lock_overlap_group,
    sessions_overlapping,
)
from majlis.bookings.models import AccessNeed, Booking, BookingChange, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services.changes import (
    Actor,
    Change,
    checked_access_needs,
    confirmed_bookings_in,
    delegate_change_count,
    fill_free_seats,
    release_seat,
    unknown_access_needs,
    unknown_access_needs_error,
)
from majlis.core.exceptions import (
    AlreadyBooked,
    BookingCancelled,
    MajlisError,
    NotFound,
    NotRegistered,
    SessionFull,
    TimeConflict,
    TooEarly,
)
from majlis.events.models import Event, Session
from majlis.events.rules import booking_closed, booking_window_check


@dataclass(frozen=True)
class IdempotencyClaim:
    """The ``Idempotency-Key`` of an API request: who sent it, the key, and a
    fingerprint of the request, so a reused key with another request is refused."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class DatabaseBooking:
    """What ``majlis_book_v3`` answered: ``booked``, ``refused`` (with the
    refusal's code and the facts its message needs), ``replayed`` (the answer
    stored for the same key and request) or ``key_reused``."""

    outcome: str
    booking_id: int | None
    status: str | None
    waitlist_position: int | None
    refusal: str | None
    detail_booking: int | None
    detail_status: str | None
    detail_session: str | None
    detail_when: datetime | None
    stored_status: int | None
    stored_body: dict[str, Any] | None

    def booking(self) -> Booking:
        """The booking made, as the services return it."""
        if self.booking_id is None:
            raise RuntimeError(f"no booking was made: {self}")
        return Booking.objects.select_related("session", "participant").get(
            pk=self.booking_id
        )


WALK_IN_TOO_EARLY = _(
    "Seats are given at the door once absent delegates can be released."
)
WALK_IN_FULL = _("There is no free seat left in this session.")


def book_in_database(
    *,
    participant: Participant,
    session_id: int | None = None,
    event_slug: str = "",
    session_code: str = "",
    actor: Actor,
    switch: bool = False,
    walk_in: bool = False,
    check_in: bool = False,
    access_needs: list[str],
    access_needs_note: str,
    enforce_window: bool = True,
    idempotency: IdempotencyClaim | None = None,
) -> DatabaseBooking:
    """Every booking on PostgreSQL, decided whole by one statement
    (majlis/bookings/sql/book_v3.sql): the session by id, or by the event's
    slug and its code. Raises only ``TryAgain``."""
    unknown = unknown_access_needs(access_needs)
    (row,) = engine.call(
        "majlis_book_v3",
        [
            participant.pk,
            session_id,
            event_slug,
            session_code,
            switch,
            walk_in,
            check_in,
            json.dumps([need for need in AccessNeed.values if need in access_needs]),
            ", ".join(unknown) if unknown else None,
            access_needs_note.strip(),
            enforce_window,
            engine.lock_timeout(),
            *engine.actor_arguments(actor),
            idempotency.principal if idempotency else None,
            idempotency.key[:200] if idempotency else None,
            idempotency.fingerprint if idempotency else None,
        ],
    )
    booked = DatabaseBooking(*row)
    if booked.stored_body is not None:
        booked = replace(booked, stored_body=dict(engine.as_json(booked.stored_body)))
    return booked


def book_refusal(
    booked: DatabaseBooking, *, event: Callable[[], Event], access_needs: list[str]
) -> MajlisError:
    """The error a refusal of :func:`book_in_database` stands for, worded in
    the active language (``event`` is read only to say when booking opens or
    closed)."""
    match booked.refusal:
        case "not_found":
            return NotFound()
        case "not_registered":
            return NotRegistered()
        case "booking_not_open":
            return booking_closed(event=event(), opens_at=booked.detail_when)
        case "booking_closed":
            return booking_closed(event=event(), closed_at=booked.detail_when)
        case "already_booked":
            return AlreadyBooked(
                extra={"booking": booked.detail_booking, "status": booked.detail_status}
            )
        case "time_conflict":
            return TimeConflict(
                extra={
                    "booking": booked.detail_booking,
                    "session": booked.detail_session,
                }
            )
        case "too_early_walk_in":
            return TooEarly(WALK_IN_TOO_EARLY)
        case "full_walk_in":
            return SessionFull(WALK_IN_FULL)
        case "session_full":
            return SessionFull()
        case "invalid_needs":
            return unknown_access_needs_error(unknown_access_needs(access_needs))
    raise RuntimeError(f"majlis_book_v3 answered {booked}")


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
) -> Booking:
    """Book a seat, or a place on the waiting list when the session is full.

    With ``switch``, a seat held in an overlapping session is released in the
    same transaction if the new session has a seat; if it is full, the
    delegate waits for it and keeps the old seat. A ``walk_in`` gets a free
    seat only, once absent delegates' seats may be released. Raises
    ``NotRegistered``, ``BookingClosed``, ``AlreadyBooked``, ``TimeConflict``,
    ``TooEarly``, ``SessionFull``, ``InvalidInput`` or ``TryAgain``. On
    PostgreSQL one statement decides (refusals without a lock, a seat under
    the session's row lock, a switch under the overlap group's); on SQLite,
    :func:`_booking_create_locked`.
    """
    if not engine.database_decides():
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
    needs = list(access_needs or [])
    booked = book_in_database(
        participant=participant,
        session_id=session.pk,
        actor=actor,
        switch=switch,
        walk_in=walk_in,
        access_needs=needs,
        access_needs_note=access_needs_note,
        enforce_window=enforce_window,
    )
    if booked.outcome != "booked":
        raise book_refusal(booked, event=lambda: session.event, access_needs=needs)
    return booked.booking()


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
    """The Python engine of :func:`booking_create`: SQLite's, and on
    PostgreSQL the differential test's. Locks the session's overlap group."""
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
            raise TooEarly(WALK_IN_TOO_EARLY)
        if not has_seat:
            raise SessionFull(WALK_IN_FULL)
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


def booking_update_access_needs(
    *, booking: Booking, needs: list[str], note: str, actor: Actor
) -> Booking:
    """Change what a delegate needs to take part; recorded in the audit trail.

    Touches no seat, so it locks only the booking's row. Raises ``InvalidInput``
    for an unknown need, ``BookingCancelled`` for a cancelled booking,
    ``TooManyRequests`` past the delegate's own ``MAJLIS_LIMIT_BOOKING_CHANGES``.
    """
    delegate_change_count(actor=actor, participant_id=booking.participant_id)
    checked = checked_access_needs(needs)
    if engine.database_decides():
        ((outcome,),) = engine.call(
            "majlis_update_access_needs_v2",
            [
                booking.pk,
                json.dumps(checked),
                note.strip()[:500],
                *engine.actor_arguments(actor),
            ],
        )
        if outcome == "cancelled":
            raise BookingCancelled()
        return Booking.objects.select_related("participant").get(pk=booking.pk)
    return _booking_update_access_needs_locked(
        booking=booking, needs=checked, note=note, actor=actor
    )


@busy_means_try_again
@transaction.atomic
def _booking_update_access_needs_locked(
    *, booking: Booking, needs: list[str], note: str, actor: Actor
) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=booking.pk)
    )
    if booking.status == BookingStatus.CANCELLED:
        raise BookingCancelled()
    booking.access_needs = needs
    booking.access_needs_note = note.strip()[:500]
    booking.save(update_fields=["access_needs", "access_needs_note"])
    change = Change(now=timezone.now(), actor=actor, sessions={})
    change.record(booking, BookingChange.Action.ACCESS_NEEDS, booking.status)
    return booking
