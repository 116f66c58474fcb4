"""Read-only queries of the back office."""

import json
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from majlis.accounts.models import Constituency, Language, Participant
from majlis.accounts.regions import Region, region_of
from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import released_as_absent
from majlis.events.models import Event, Session

NO_COUNTRY = gettext_lazy("Country not given")
NO_REGION = gettext_lazy("In no region")

AUDIENCE_STATUSES = {
    SessionMessage.Audience.CONFIRMED: [BookingStatus.CONFIRMED],
    SessionMessage.Audience.WAITLISTED: [BookingStatus.WAITLISTED],
    SessionMessage.Audience.BOTH: [BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
}


# Names the tokens of previews (uuid5): the same message gets the same one
# until it is sent, then the next of its chain.
SEND_TOKEN_NAMESPACE = uuid.UUID("6f1d2c4e-3b0a-5e7f-9c8d-2a1b4e6f8d0c")


def session_message_send_token(
    *,
    session: Session,
    audience: str,
    subject: str,
    body: str,
    versions: dict[str, dict[str, str]],
    reply_to: str,
) -> uuid.UUID:
    """The token a preview's send carries (``session_message_send`` sends once
    per token). The same message previewed twice before either is sent (two
    tabs, two organisers) gets the same token, so only one of them goes,
    whatever else is sent meanwhile; once it is sent, a new preview gets the
    next token of the message's chain, and the same text may be sent again
    on purpose."""
    message = [session.pk, audience, subject, body, versions, reply_to]
    token = uuid.uuid5(SEND_TOKEN_NAMESPACE, json.dumps(message, sort_keys=True))
    sent = set(
        SessionMessage.objects.filter(
            session=session, send_token__isnull=False
        ).values_list("send_token", flat=True)
    )
    while token in sent:
        token = uuid.uuid5(SEND_TOKEN_NAMESPACE, str(token))
    return token


def session_message_recipients(*, session: Session, audience: str) -> list[Participant]:
    """The delegates a message to ``audience`` of the session reaches now, by
    name (none for an unknown audience)."""
    statuses = AUDIENCE_STATUSES.get(audience)  # type: ignore[call-overload]
    if statuses is None:
        return []
    return [
        booking.participant
        for booking in Booking.objects.filter(session=session, status__in=statuses)
        .select_related("participant")
        .order_by("participant__name", "pk")
    ]


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


def staff_role_for_address(*, event: Event, email: str) -> StaffRole | None:
    """The role someone with this address has in the event, if any."""
    return (
        StaffRole.objects.filter(event=event, user__email__iexact=email.strip())
        .select_related("user")
        .prefetch_related("sessions")
        .first()
    )


def participant_by_checkin_code(*, event: Event, code: str) -> Participant | None:
    """The delegate with this check-in code (typed in any case, with spaces)."""
    cleaned = code.replace(" ", "").strip()
    if not cleaned:
        return None
    return Participant.objects.filter(event=event, checkin_code__iexact=cleaned).first()


class DoorStatus(StrEnum):
    """Where a delegate stands at the door of one session."""

    CHECKED_IN = "checked_in"
    CONFIRMED = "confirmed"  # a seat, not yet checked in
    WAITLISTED = "waitlisted"
    NOT_BOOKED = "not_booked"


@dataclass(frozen=True)
class DoorMatch:
    participant: Participant
    status: DoorStatus  # in the session at whose door the search was made
    waitlist_position: int | None = None
    checked_in_at: datetime | None = None

    @property
    def booked(self) -> bool:
        return self.status != DoorStatus.NOT_BOOKED


# Letters written several ways in Arabic names: alef with hamza or madda (also
# taken off by NFKD below), alef wasla, alef maqsura and yeh, teh marbuta and
# heh, Persian yeh and keheh; the tatweel only stretches a word.
_ARABIC_VARIANTS = str.maketrans(
    {
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u0629": "\u0647",
        "\u06a9": "\u0643",
        "\u0640": None,
    }
)


def _name_key(name: str) -> str:
    """A name as compared at the door: accents and other marks off (Arabic
    vowel signs and hamza included), Arabic letter variants made one, case
    folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_ARABIC_VARIANTS).casefold().split())


def _door_bookings(session: Session) -> list[DoorMatch]:
    """Everyone booked in ``session`` (confirmed or waiting), with their place."""
    bookings = (
        Booking.objects.filter(
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .select_related("participant")
        .order_by("pk")  # the order of the waiting list
    )
    found, waiting = [], 0
    for booking in bookings:
        if booking.status == BookingStatus.WAITLISTED:
            waiting += 1
            found.append(DoorMatch(booking.participant, DoorStatus.WAITLISTED, waiting))
        elif booking.checked_in_at is not None:
            found.append(
                DoorMatch(
                    booking.participant,
                    DoorStatus.CHECKED_IN,
                    checked_in_at=booking.checked_in_at,
                )
            )
        else:
            found.append(DoorMatch(booking.participant, DoorStatus.CONFIRMED))
    return found


def _by_name(match: DoorMatch) -> tuple[str, int]:
    return _name_key(match.participant.name), match.participant.pk


def door_search(*, session: Session, query: str, limit: int = 10) -> list[DoorMatch]:
    """Whom the door of ``session`` may find with ``query``, each with where
    they stand there.

    The delegates booked there (confirmed or waiting) whose name,
    organisation or email holds the query (case, accents and Arabic letter
    variants aside), or whose check-in code it is; then, for a walk-in, any
    other delegate of the event whose whole name the query is, never by part
    of a name or address: the door learns nothing of who else is registered
    (docs/SECURITY.md).
    """
    text = query.strip()
    if not text:
        return []
    wanted = _name_key(text)
    code = text.replace(" ", "").casefold()
    here = _door_bookings(session)
    # Compared in Python: neither database folds accents the same way, and a
    # session's bookings are few (23 ms of CPU for 3,000 names on SQLite;
    # docs/RELIABILITY.md).
    booked = sorted(
        (
            match
            for match in here
            if wanted in _name_key(match.participant.name)
            or wanted in _name_key(match.participant.organisation)
            or text.casefold() in match.participant.email.casefold()
            or code == match.participant.checkin_code.casefold()
        ),
        key=_by_name,
    )[:limit]
    named = [
        pk
        for pk, name in Participant.objects.filter(event_id=session.event_id)
        .exclude(pk__in=[match.participant.pk for match in here])
        .values_list("pk", "name")
        if _name_key(name) == wanted
    ]
    others = Participant.objects.filter(pk__in=named).order_by("name", "pk")[:limit]
    return booked + [DoorMatch(person, DoorStatus.NOT_BOOKED) for person in others]


@dataclass(frozen=True)
class DoorCounts:
    checked_in: int
    to_arrive: int  # confirmed, not checked in
    releasable: int  # of those, the seats a release would free now
    # When the first seat of the others (given less than the release delay
    # ago) may be released, to the minute after; None if there is none.
    kept_until: datetime | None

    @property
    def kept(self) -> int:
        """Seats of delegates still to arrive that a release would keep now."""
        return self.to_arrive - self.releasable


def door_counts(*, session: Session, now: datetime) -> DoorCounts:
    """The door's figures at ``now``, in one query: who is checked in, who is
    still to arrive, and whose seats a release of absent delegates would free
    (``released_as_absent``)."""
    confirmed = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
    releasable = released_as_absent(session, now)
    counts = confirmed.aggregate(
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        to_arrive=Count("pk", filter=Q(checked_in_at__isnull=True)),
        releasable=Count("pk", filter=releasable),
        first_kept=Min(
            "confirmed_at", filter=Q(checked_in_at__isnull=True) & ~releasable
        ),
    )
    kept_until = None
    if counts["first_kept"] is not None:
        grace = timedelta(minutes=session.no_show_release_minutes)
        kept_until = max(counts["first_kept"] + grace, session.no_show_release_at)
        if kept_until.second or kept_until.microsecond:
            # The door writes minutes: the next one, when the seat has gone
            # (a minute cut short would be one when a release keeps it).
            kept_until = kept_until.replace(second=0, microsecond=0) + timedelta(
                minutes=1
            )
    return DoorCounts(
        counts["checked_in"], counts["to_arrive"], counts["releasable"], kept_until
    )


def door_still_to_arrive(*, session: Session) -> list[Participant]:
    """The confirmed delegates of ``session`` not checked in yet, by name: whose
    seats a release of absent delegates would give away."""
    absent = Participant.objects.filter(
        bookings__session=session,
        bookings__status=BookingStatus.CONFIRMED,
        bookings__checked_in_at__isnull=True,
    )
    return sorted(absent, key=lambda person: (_name_key(person.name), person.pk))


def door_namesakes(*, session: Session, people: Iterable[Participant]) -> set[int]:
    """Of ``people`` listed at the door of ``session``, those another delegate
    booked there (confirmed, checked in or waiting, listed or not) cannot be
    told apart from by name and organisation (case, accents and Arabic letter
    variants aside): the door shows their check-in codes, which each can
    give."""
    listed = list(people)
    if not listed:
        return set()
    booked = Participant.objects.filter(
        bookings__session=session,
        bookings__status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
    ).values_list("pk", "name", "organisation")
    by_name: dict[tuple[str, str], set[int]] = {}
    for pk, name, organisation in booked:
        by_name.setdefault((_name_key(name), _name_key(organisation)), set()).add(pk)
    shared = {key for key, same in by_name.items() if len(same) > 1}
    return {
        person.pk
        for person in listed
        if (_name_key(person.name), _name_key(person.organisation)) in shared
    }


def door_seat_elsewhere(
    *, session: Session, participant: Participant
) -> Session | None:
    """The session at the same time as ``session`` where ``participant`` holds
    a seat, which keeps them from a walk-in seat there; ``None`` if none."""
    other = (
        Booking.objects.filter(
            participant=participant,
            status=BookingStatus.CONFIRMED,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .select_related("session")
        .first()
    )
    return other.session if other else None


def door_participant(
    *, session: Session, query: str, participant_id: str
) -> Participant | None:
    """The delegate chosen at the door of ``session``, if the door may act on
    them: booked there, or found by ``query`` as their check-in code or whole
    name (``door_search``). ``None`` otherwise, so that trying numbers names
    nobody."""
    # isdigit alone lets "²" through, which int() refuses.
    if not (participant_id.isascii() and participant_id.isdigit()):
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
