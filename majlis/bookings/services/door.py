"""At the door: check-in, releasing absent delegates' seats, walk-ins."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import Participant
from majlis.bookings import engine
from majlis.bookings.locking import busy_means_try_again, lock_overlap_group
from majlis.bookings.models import Booking, BookingChange, BookingStatus
from majlis.bookings.selectors import released_as_absent
from majlis.bookings.services.booking import (
    _booking_create_locked,
    book_in_database,
    book_refusal,
)
from majlis.bookings.services.changes import (
    Actor,
    Change,
    fill_free_seats,
    release_seat,
)
from majlis.core.exceptions import TooEarly
from majlis.events.models import Session


@dataclass
class CheckIn:
    """What the door shows after a check-in attempt."""

    outcome: str  # checked_in, already_checked_in, waitlisted, not_booked
    participant: Participant
    booking: Booking | None
    seats_free: int


def booking_check_in(
    *, session: Session, participant: Participant, actor: Actor
) -> CheckIn:
    """Check a delegate in at the door of ``session``.

    Only a confirmed booking can be checked in; the update applies only while
    ``checked_in_at`` is empty, so a second scan (or two doors at once) learns
    it was already done. Touches no seat, so no session lock is taken (on
    PostgreSQL one statement, majlis/bookings/sql/check_in_v1.sql).
    """
    if not engine.database_decides():
        return _booking_check_in_locked(
            session=session, participant=participant, actor=actor
        )
    ((outcome, booking_id, seats_free),) = engine.call(
        "majlis_check_in_v1",
        [session.pk, participant.pk, *engine.actor_arguments(actor)],
    )
    booking = (
        Booking.objects.select_related("participant").get(pk=booking_id)
        if booking_id is not None
        else None
    )
    return CheckIn(outcome, participant, booking, seats_free)


@transaction.atomic
def _booking_check_in_locked(
    *, session: Session, participant: Participant, actor: Actor
) -> CheckIn:
    booking = (
        Booking.objects.select_related("participant")
        .filter(
            participant=participant,
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .first()
    )
    fresh = Session.objects.only("capacity", "seats_taken").get(pk=session.pk)
    seats_free = max(fresh.capacity - fresh.seats_taken, 0)
    if booking is None:
        return CheckIn("not_booked", participant, None, seats_free)
    if booking.status == BookingStatus.WAITLISTED:
        return CheckIn("waitlisted", participant, booking, seats_free)
    now = timezone.now()
    updated = Booking.objects.filter(pk=booking.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=actor.user
    )
    booking.refresh_from_db(fields=["checked_in_at", "checked_in_by"])
    if not updated:
        return CheckIn("already_checked_in", participant, booking, seats_free)
    Change(now=now, actor=actor, sessions={}).record(
        booking, BookingChange.Action.CHECKED_IN, booking.status
    )
    return CheckIn("checked_in", participant, booking, seats_free)


def _too_early(session: Session, when: datetime) -> TooEarly:
    opens = formats.date_format(
        timezone.localtime(when, session.event.zone), "DATETIME_FORMAT"
    )
    return TooEarly(
        _("The seats of absent delegates can be released from %(when)s.")
        % {"when": opens}
    )


def session_release_no_shows(*, session: Session, actor: Actor) -> list[Booking]:
    """Give the seats of confirmed delegates who have not checked in to the
    waiting list, from ``no_show_release_minutes`` after the start.

    A seat given less than ``no_show_release_minutes`` ago (promoted from the
    waiting list, by a release a moment before as well, or booked after the
    start) stays: its delegate gets as long to come as everyone had from the
    start (``released_as_absent``). The released bookings are
    cancelled (audited as released, with who did it) and the freed seats are
    filled from the waiting list in the same transaction; the seats left over
    go to walk-ins. Locks the session's overlap group (on PostgreSQL inside
    one statement, majlis/bookings/sql/release_no_shows_v2.sql). Raises
    ``TooEarly`` before the release time.
    """
    if not engine.database_decides():
        return _session_release_no_shows_locked(session=session, actor=actor)
    ((outcome, released, when),) = engine.call(
        "majlis_release_no_shows_v2",
        [session.pk, engine.lock_timeout(), *engine.actor_arguments(actor)],
    )
    if outcome == "too_early":
        raise _too_early(session, when)
    return list(
        Booking.objects.select_related("participant")
        .filter(pk__in=released)
        .order_by("pk")
    )


@busy_means_try_again
@transaction.atomic
def _session_release_no_shows_locked(
    *, session: Session, actor: Actor
) -> list[Booking]:
    sessions = lock_overlap_group(session)
    session = sessions[session.pk]
    now = timezone.now()
    if now < session.no_show_release_at:
        raise _too_early(session, session.no_show_release_at)
    change = Change(now=now, actor=actor, sessions=sessions)
    absent = list(
        Booking.objects.select_related("participant")
        .filter(
            released_as_absent(session, now),
            session=session,
            status=BookingStatus.CONFIRMED,
        )
        .order_by("pk")
    )
    for booking in absent:
        release_seat(change, booking, BookingChange.Action.RELEASED_NO_SHOW)
        change.notify(booking, "booking_cancelled")
    fill_free_seats(change, [session.pk])
    change.save_counters()
    return absent


def booking_walk_in(
    *, session: Session, participant: Participant, actor: Actor
) -> Booking:
    """Give a free seat at the door to a registered delegate who has no booking,
    and check them in, once no-shows may be released (before that, the seats
    still belong to those who booked). On PostgreSQL one statement
    (majlis/bookings/sql/book_v3.sql). Raises ``TooEarly``, ``SessionFull``,
    ``AlreadyBooked`` or ``TimeConflict``."""
    if not engine.database_decides():
        return _booking_walk_in_locked(
            session=session, participant=participant, actor=actor
        )
    booked = book_in_database(
        participant=participant,
        session_id=session.pk,
        actor=actor,
        walk_in=True,
        check_in=True,
        access_needs=[],
        access_needs_note="",
        enforce_window=False,
    )
    if booked.outcome != "booked":
        raise book_refusal(booked, event=lambda: session.event, access_needs=[])
    return booked.booking()


@busy_means_try_again
@transaction.atomic
def _booking_walk_in_locked(
    *, session: Session, participant: Participant, actor: Actor
) -> Booking:
    booking = _booking_create_locked(
        participant=participant,
        session=session,
        actor=actor,
        switch=False,
        access_needs=[],
        access_needs_note="",
        enforce_window=False,
        walk_in=True,
    )
    _booking_check_in_locked(session=session, participant=participant, actor=actor)
    booking.refresh_from_db()
    return booking
