"""Read-only queries about bookings."""

from datetime import datetime, timedelta

from django.db.models import Q

from majlis.accounts.models import Participant
from majlis.bookings.models import AccessNeed, Booking, BookingChange, BookingStatus
from majlis.core.exceptions import NotFound
from majlis.events.models import Session


def booking_list_for_participant(*, participant: Participant) -> list[Booking]:
    """All of a delegate's bookings, cancelled ones too, with waiting positions
    set and their sessions' event: the delegate's own (read once, not joined
    on every row: a delegate books only in their own event)."""
    bookings = list(
        Booking.objects.filter(participant=participant)
        .select_related("session")
        .order_by("session__starts_at", "session__code", "-created_at")
    )
    for booking in bookings:
        booking.session.event = participant.event
        booking.waitlist_position = None  # type: ignore[attr-defined]
        if booking.status == BookingStatus.WAITLISTED:
            booking.waitlist_position = waitlist_position(booking)  # type: ignore[attr-defined]
    return bookings


def booking_list_latest_per_session(*, participant: Participant) -> list[Booking]:
    """Each session a delegate booked once, as it stands: its latest booking
    (the full list runs newest first within a session), not every booking
    cancelled before it."""
    listed: set[int] = set()
    latest = []
    for booking in booking_list_for_participant(participant=participant):
        if booking.session_id not in listed:
            listed.add(booking.session_id)
            latest.append(booking)
    return latest


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first in line; ``None`` if the booking is not waiting."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = (
        Booking.objects.filter(
            session_id=booking.session_id, status=BookingStatus.WAITLISTED
        )
        .filter(pk__lt=booking.pk)
        .count()
    )
    return ahead + 1


def released_as_absent(session: Session, now: datetime) -> Q:
    """Which confirmed bookings of ``session`` a release of absent delegates
    frees at ``now`` (from ``no_show_release_at``): those not checked in whose
    seat was given at least ``no_show_release_minutes`` before. A seat given
    after the start, from the waiting list or booked, has as long to reach the
    room as every seat had from the start (on PostgreSQL,
    majlis/bookings/sql/release_no_shows_v2.sql)."""
    return Q(
        checked_in_at__isnull=True,
        confirmed_at__lte=now - timedelta(minutes=session.no_show_release_minutes),
    )


def booking_get_for_participant(
    *, participant: Participant, booking_id: int
) -> Booking:
    """A delegate's own booking; anyone else's is ``NotFound``, never forbidden, so
    that ids reveal nothing."""
    booking = (
        Booking.objects.select_related("session", "session__event", "participant")
        .filter(pk=booking_id, participant=participant)
        .first()
    )
    if booking is None:
        raise NotFound()
    return booking


def sessions_released_by_switch(*, booking_id: int) -> list[Session]:
    """The sessions whose seats the delegate gave up when booking ``booking_id``
    by a switch: the seats its transaction released, read from the audit trail
    (every change of one transaction has the same time)."""
    made = (
        BookingChange.objects.filter(
            booking_id=booking_id, action=BookingChange.Action.BOOKED
        )
        .values("at", "booking__participant_id")
        .first()
    )
    if made is None:
        return []
    return list(
        Session.objects.filter(
            bookings__participant_id=made["booking__participant_id"],
            bookings__changes__action=BookingChange.Action.SWITCHED_AWAY,
            bookings__changes__at=made["at"],
        )
        .select_related("event")
        .distinct()
        .order_by("starts_at", "pk")
    )


def session_roster(*, session: Session) -> dict[str, list[Booking]]:
    bookings = (
        Booking.objects.filter(
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .select_related("participant")
        .order_by("pk")
    )
    roster: dict[str, list[Booking]] = {"confirmed": [], "waitlisted": []}
    for booking in bookings:
        roster[booking.status].append(booking)
    roster["confirmed"].sort(key=lambda b: (b.confirmed_at, b.pk))
    return roster


def delegates_double_booked_by_move(*, session: Session, others: list[Session]) -> int:
    """How many delegates confirmed in ``session`` also hold a seat in one of
    ``others`` (the sessions it would overlap after a move)."""
    holders = Booking.objects.filter(
        session=session, status=BookingStatus.CONFIRMED
    ).values("participant_id")
    return (
        Booking.objects.filter(
            participant_id__in=holders,
            status=BookingStatus.CONFIRMED,
            session_id__in=[other.pk for other in others if other.pk != session.pk],
        )
        .values("participant_id")
        .distinct()
        .count()
    )


def access_needs_counts(bookings: list[Booking]) -> dict[str, int]:
    """How many of ``bookings`` stated each access need (every need listed, even at 0)."""
    return {
        need: sum(need in booking.access_needs for booking in bookings)
        for need in AccessNeed.values
    }
