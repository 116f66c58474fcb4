"""Read-only queries of the back office."""

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from majlis.accounts.models import Constituency, Language, Participant
from majlis.accounts.regions import Region, region_of
from majlis.bookings.models import Booking, BookingStatus
from majlis.events.models import Event, Session

NO_COUNTRY = gettext_lazy("Country not given")
NO_REGION = gettext_lazy("In no region")

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


@dataclass(frozen=True)
class DoorMatch:
    participant: Participant
    booked: bool  # in the session at whose door the search was made


def _name_key(name: str) -> str:
    """A name as compared at the door: accents and other marks off (Arabic
    vowel signs and hamza included), case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def door_search(*, session: Session, query: str, limit: int = 10) -> list[DoorMatch]:
    """Whom the door of ``session`` may find with ``query``.

    The delegates booked there (confirmed or waiting) whose name, email or
    organisation holds the query, or whose check-in code it is; then, for a
    walk-in, any other delegate of the event whose whole name the query is
    (case, accents and spacing aside), never by part of a name or address:
    the door learns nothing of who else is registered (docs/SECURITY.md).
    """
    text = query.strip()
    if not text:
        return []
    here = Booking.objects.filter(
        session=session,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
    )
    booked = list(
        Participant.objects.filter(pk__in=here.values("participant_id"))
        .filter(
            Q(name__icontains=text)
            | Q(email__icontains=text)
            | Q(organisation__icontains=text)
            | Q(checkin_code__iexact=text.replace(" ", ""))
        )
        .order_by("name", "pk")[:limit]
    )
    wanted = _name_key(text)
    # Compared in Python: neither database folds accents the same way
    # (23 ms of CPU for 3,000 names on SQLite; docs/RELIABILITY.md).
    named = [
        pk
        for pk, name in Participant.objects.filter(event_id=session.event_id)
        .exclude(pk__in=here.values("participant_id"))
        .values_list("pk", "name")
        if _name_key(name) == wanted
    ]
    others = Participant.objects.filter(pk__in=named).order_by("name", "pk")[:limit]
    return [DoorMatch(person, booked=True) for person in booked] + [
        DoorMatch(person, booked=False) for person in others
    ]


def door_participant(
    *, session: Session, query: str, participant_id: str
) -> Participant | None:
    """The delegate chosen at the door of ``session``, if the door may act on
    them: booked there, or found by ``query`` as their check-in code or whole
    name (``door_search``). ``None`` otherwise, so that trying numbers names
    nobody."""
    if not participant_id.isdigit():
        return None
    person = Participant.objects.filter(
        event_id=session.event_id, pk=int(participant_id)
    ).first()
    if person is None:
        return None
    booked_here = Booking.objects.filter(
        session=session,
        participant=person,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
    ).exists()
    code = query.replace(" ", "").strip()
    if (
        booked_here
        or (code and person.checkin_code.lower() == code.lower())
        or (query.strip() and _name_key(person.name) == _name_key(query))
    ):
        return person
    return None


@dataclass
class SessionFigures:
    session: Session
    confirmed: int
    waiting: int
    checked_in: int
    no_shows: int  # confirmed, not checked in, once the session has started


@dataclass
class Dashboard:
    sessions: list[SessionFigures]
    by_constituency: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_day: list[tuple[date, int]]
    by_region: list[tuple[str, int]] = field(default_factory=list)
    # The start of each hour that saw bookings, in the event's zone, and how many.
    by_hour: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def largest(self) -> int:
        """The longest bar of the session chart, so bars share one scale."""
        return max([s.session.capacity for s in self.sessions] + [1])

    @property
    def busiest_day(self) -> int:
        return max([count for _day, count in self.by_day] + [1])

    @property
    def rush_day(self) -> date | None:
        """The day with the most bookings (the first such day on a tie)."""
        if not self.by_day:
            return None
        return max(self.by_day, key=lambda pair: (pair[1], -pair[0].toordinal()))[0]

    def hours_of(self, day: date) -> list[tuple[datetime, int]]:
        """Each hour of ``day`` from its first booking to its last, quiet hours
        included (with 0) so the chart keeps a true time axis."""
        # Keyed by UTC instant: two local hours a clock change repeats compare
        # equal as local times.
        counted = {
            start.astimezone(UTC): count
            for start, count in self.by_hour
            if start.date() == day
        }
        if not counted:
            return []
        zone = next(start for start, _count in self.by_hour).tzinfo
        starts = set(counted)
        step, last = min(counted), max(counted)
        while step <= last:
            starts.add(step)
            step += timedelta(hours=1)
        return [
            (instant.astimezone(zone), counted.get(instant, 0))
            for instant in sorted(starts)
        ]


def region_mix(countries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts per country code, added up per M49 region, largest first; no
    country and countries in no region are counted apart, not dropped."""
    totals: dict[str, int] = {}
    for code, count in countries:
        if not code:
            label = str(NO_COUNTRY)
        else:
            region = region_of(code)
            label = str(region.label) if region else str(NO_REGION)
        totals[label] = totals.get(label, 0) + count
    order = [str(r.label) for r in Region] + [str(NO_REGION), str(NO_COUNTRY)]
    return sorted(totals.items(), key=lambda pair: (-pair[1], order.index(pair[0])))


def hour_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """The start of the local hour ``moment`` falls in, in ``zone``."""
    local = timezone.localtime(moment, zone)
    return local.replace(minute=0, second=0, microsecond=0)


def event_dashboard(*, event: Event, sessions: QuerySet[Session]) -> Dashboard:
    """The figures of ``sessions`` (those the viewer may see), in a few queries."""
    now = timezone.now()
    active = Booking.objects.filter(session__in=sessions)
    per_session = {
        row["session"]: row
        for row in active.values("session").annotate(
            confirmed=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=BookingStatus.WAITLISTED)),
            checked_in=Count(
                "pk",
                filter=Q(status=BookingStatus.CONFIRMED, checked_in_at__isnull=False),
            ),
        )
    }
    figures = []
    for session in sessions.order_by("starts_at", "code"):
        row = per_session.get(
            session.pk, {"confirmed": 0, "waiting": 0, "checked_in": 0}
        )
        started = session.starts_at <= now
        figures.append(
            SessionFigures(
                session=session,
                confirmed=row["confirmed"],
                waiting=row["waiting"],
                checked_in=row["checked_in"],
                no_shows=row["confirmed"] - row["checked_in"] if started else 0,
            )
        )
    confirmed = active.filter(status=BookingStatus.CONFIRMED)
    constituency_names = dict(Constituency.choices)
    language_names = dict(Language.choices)
    by_constituency = [
        (
            str(constituency_names.get(row["participant__constituency"], "")),
            row["count"],
        )
        for row in confirmed.values("participant__constituency")
        .annotate(count=Count("pk"))
        .order_by("-count")
    ]
    by_language = [
        (str(language_names.get(row["participant__language"], "")), row["count"])
        for row in confirmed.values("participant__language")
        .annotate(count=Count("pk"))
        .order_by("-count")
    ]
    by_region = region_mix(
        [
            (str(row["participant__country"] or ""), row["count"])
            for row in confirmed.values("participant__country")
            .annotate(count=Count("pk"))
            .order_by()
        ]
    )
    zone = event.zone
    days: dict[date, int] = {}
    # Keyed by the UTC instant of the local hour's start, so the hour a clock
    # change repeats is counted twice, not merged.
    hours: dict[datetime, int] = {}
    for created in active.values_list("created_at", flat=True):
        start = hour_start(created, zone)
        days[start.date()] = days.get(start.date(), 0) + 1
        instant = start.astimezone(UTC)
        hours[instant] = hours.get(instant, 0) + 1
    return Dashboard(
        sessions=figures,
        by_constituency=by_constituency,
        by_language=by_language,
        by_day=sorted(days.items()),
        by_region=by_region,
        by_hour=[
            (instant.astimezone(zone), count)
            for instant, count in sorted(hours.items())
        ],
    )
