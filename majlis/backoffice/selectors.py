"""Read-only queries of the back office."""

from django.db.models import Q, QuerySet

from majlis.accounts.models import Participant
from majlis.bookings.models import Booking, BookingStatus
from majlis.events.models import Event, Session

ROSTER_SORTS = {
    "name": ("participant__name", "pk"),
    "organisation": ("participant__organisation", "participant__name"),
    "booked": ("pk",),
    "checked_in": ("checked_in_at", "participant__name"),
}


def roster_bookings(
    *,
    session: Session,
    status: str = "",
    query: str = "",
    constituency: str = "",
    sort: str = "booked",
) -> QuerySet[Booking]:
    """The active bookings of a session, filtered and sorted for the roster."""
    statuses = [BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]
    bookings = Booking.objects.filter(
        session=session, status__in=[s for s in statuses if not status or s == status]
    ).select_related("participant")
    if query:
        bookings = bookings.filter(
            Q(participant__name__icontains=query)
            | Q(participant__email__icontains=query)
            | Q(participant__organisation__icontains=query)
            | Q(participant__checkin_code__iexact=query.strip())
        )
    if constituency:
        bookings = bookings.filter(participant__constituency=constituency)
    return bookings.order_by(*ROSTER_SORTS.get(sort, ROSTER_SORTS["booked"]))


def participant_by_checkin_code(*, event: Event, code: str) -> Participant | None:
    """The delegate with this check-in code (typed in any case, with spaces)."""
    cleaned = code.replace(" ", "").strip()
    if not cleaned:
        return None
    return Participant.objects.filter(event=event, checkin_code__iexact=cleaned).first()


def participants_matching(
    *, event: Event, query: str, limit: int = 10
) -> list[Participant]:
    """Delegates whose name or email holds ``query``, for the door to choose from."""
    text = query.strip()
    if not text:
        return []
    return list(
        Participant.objects.filter(event=event)
        .filter(Q(name__icontains=text) | Q(email__icontains=text))
        .order_by("name")[:limit]
    )
