"""Changing a session's capacity or times, and saving its other fields."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from majlis.bookings import engine
from majlis.bookings.locking import (
    busy_means_try_again,
    lock_event_schedule,
    lock_overlap_group,
    sessions_overlapping,
)
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import delegates_double_booked_by_move
from majlis.bookings.services.changes import Actor, Change, fill_free_seats
from majlis.core.exceptions import (
    CapacityBelowConfirmed,
    InvalidInput,
    MajlisError,
    SessionMoveConflict,
)
from majlis.events.models import Session


def session_set_capacity(*, session: Session, capacity: int, actor: Actor) -> Session:
    """Change a session's capacity; raising it promotes from the waiting list at once.

    Locks the session's overlap group (on PostgreSQL inside one statement,
    majlis/bookings/sql/set_capacity_v1.sql). Raises ``InvalidInput`` below 1
    and ``CapacityBelowConfirmed`` rather than cancel anybody's seat.
    """
    if capacity < 1:
        raise InvalidInput(_("The capacity must be at least 1."))
    if not engine.database_decides():
        return _session_set_capacity_locked(
            session=session, capacity=capacity, actor=actor
        )
    ((outcome, seats_taken),) = engine.call(
        "majlis_set_capacity_v1",
        [session.pk, capacity, engine.lock_timeout(), *engine.actor_arguments(actor)],
    )
    if outcome == "below":
        raise _capacity_below(seats_taken)
    return Session.objects.select_related("event").get(pk=session.pk)


def _capacity_below(seats_taken: int) -> CapacityBelowConfirmed:
    return CapacityBelowConfirmed(
        ngettext_lazy(
            "The capacity cannot be lower than the %(count)d confirmed booking; "
            "cancel bookings first.",
            "The capacity cannot be lower than the %(count)d confirmed bookings; "
            "cancel bookings first.",
            "count",
        )
        % {"count": seats_taken}
    )


@busy_means_try_again
@transaction.atomic
def _session_set_capacity_locked(
    *, session: Session, capacity: int, actor: Actor
) -> Session:
    sessions = lock_overlap_group(session)
    session = sessions[session.pk]
    if capacity < session.seats_taken:
        raise _capacity_below(session.seats_taken)
    session.capacity = capacity
    Session.objects.filter(pk=session.pk).update(capacity=capacity)
    change = Change(now=timezone.now(), actor=actor, sessions=sessions)
    fill_free_seats(change, [session.pk])
    change.save_counters()
    return session


def session_move(
    *, session: Session, starts_at: datetime, ends_at: datetime, actor: Actor
) -> Session:
    """Change a session's times; its bookings' copies of the times move with it.

    Queues on the event's row, then locks the session's overlap group before
    and after the move (on PostgreSQL inside one statement,
    majlis/bookings/sql/move_session_v1.sql). Raises ``InvalidInput`` if it
    would end before it starts, and ``SessionMoveConflict`` if a delegate
    would then hold two seats at the same time (nobody's seat is cancelled
    behind their back).
    """
    if ends_at <= starts_at:
        raise InvalidInput(_("A session must end after it starts."))
    if not engine.database_decides():
        return _session_move_locked(
            session=session, starts_at=starts_at, ends_at=ends_at, actor=actor
        )
    ((outcome, delegates),) = engine.call(
        "majlis_move_session_v1",
        [
            session.pk,
            starts_at,
            ends_at,
            engine.lock_timeout(),
            *engine.actor_arguments(actor),
        ],
    )
    if outcome == "conflict":
        raise _move_conflict(delegates)
    return Session.objects.select_related("event").get(pk=session.pk)


def _move_conflict(count: int) -> SessionMoveConflict:
    return SessionMoveConflict(
        ngettext_lazy(
            "%(count)d delegate booked here holds a seat in another session at "
            "the new time.",
            "%(count)d delegates booked here hold a seat in another session at "
            "the new time.",
            "count",
        )
        % {"count": count},
        extra={"delegates": count},
    )


@busy_means_try_again
@transaction.atomic
def _session_move_locked(
    *, session: Session, starts_at: datetime, ends_at: datetime, actor: Actor
) -> Session:
    lock_event_schedule(session.event_id)
    sessions = lock_overlap_group(session, moved_to=(starts_at, ends_at))
    session = sessions[session.pk]
    session.starts_at, session.ends_at = starts_at, ends_at
    count = delegates_double_booked_by_move(
        session=session, others=sessions_overlapping(session, list(sessions.values()))
    )
    if count:
        raise _move_conflict(count)
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=ends_at, schedule_version=F("schedule_version") + 1
    )
    Booking.objects.filter(session=session).update(starts_at=starts_at, ends_at=ends_at)
    change = Change(now=timezone.now(), actor=actor, sessions=sessions)
    for booking in (
        Booking.objects.select_related("participant")
        .filter(
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .order_by("pk")
    ):
        change.notify(booking, "booking_moved", status=booking.status)
    session.refresh_from_db()
    return session


def session_save_changes(
    *, session: Session, changed: Iterable[str], actor: Actor
) -> MajlisError | None:
    """Save the ``changed`` fields of an existing session, whose new values it
    carries. Plain fields are saved as they are; times go through
    ``session_move`` and capacity through ``session_set_capacity``, which
    promote from the waiting list and refuse what would break a rule (returned,
    for the page to say)."""
    service_fields = {"capacity", "starts_at", "ends_at"}
    changed = list(changed)
    plain = [name for name in changed if name not in service_fields]
    if plain:
        session.save(update_fields=plain)
    try:
        if {"starts_at", "ends_at"} & set(changed):
            session_move(
                session=session,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                actor=actor,
            )
        if "capacity" in changed:
            session_set_capacity(
                session=session, capacity=session.capacity, actor=actor
            )
    except MajlisError as error:
        return error
    return None
