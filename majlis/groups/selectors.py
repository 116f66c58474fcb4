"""Every read of the stored arrangements: the back office's Groups page, a
delegate's seats, a session's topics.

A booking cancelled after the planning leaves the arrangement: its seats are
left out of every answer here, the figures are measured again without it, and
it hosts no table (``current_arrangement``).
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from majlis.accounts.models import Constituency, Language, Participant
from majlis.accounts.regions import Region, region_of
from majlis.bookings.models import Booking, BookingStatus
from majlis.core.shared_reads import read_at_most_every
from majlis.events.models import Session
from majlis.groups import planner
from majlis.groups.models import GroupKind, GroupPlan, GroupSeat, TopicPreference, Whom


def eligible_bookings(session: Session, whom: str) -> QuerySet[Booking]:
    """The bookings whose people are to be seated: confirmed, and checked in
    at the door if ``whom`` says so; in the order of booking."""
    bookings = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
    if whom == Whom.CHECKED_IN:
        bookings = bookings.filter(checked_in_at__isnull=False)
    return bookings.select_related("participant").order_by("pk")


def topic_choices_of_session(session: Session) -> dict[int, list[int]]:
    """Participant id -> the tables (from 1) they chose, in order."""
    return {
        participant: list(choices)
        for participant, choices in TopicPreference.objects.filter(
            session=session
        ).values_list("participant_id", "choices")
    }


def person_of(
    booking: Booking,
    *,
    tables: int,
    host_table: int | None = None,
    choices: list[int] | None = None,
) -> planner.Person:
    """The planner's view of a booked delegate (tables counted from 1 here,
    from 0 in the planner). Choices of tables that do not exist are dropped."""
    participant = booking.participant
    region = region_of(str(participant.country)) if participant.country else None
    topic_choices: list[int] = []
    for choice in choices or []:
        if 1 <= choice <= tables and choice - 1 not in topic_choices:
            topic_choices.append(choice - 1)
    return planner.Person(
        id=str(booking.pk),
        organisation=participant.organisation,
        constituency=participant.constituency,
        region=region.value if region else "",
        language=participant.language,
        gender=participant.gender,
        topic_choices=tuple(topic_choices),
        host_table=host_table - 1 if host_table is not None else None,
    )


@dataclass(frozen=True)
class Current:
    """A stored arrangement as the planner sees it, without the people whose
    booking was cancelled since."""

    request: planner.Request
    rounds: planner.Rounds
    bookings: dict[int, Booking]
    left: int  # people seated once whose booking is no longer confirmed
    # Booking id -> table (from 1) of the hosts still booked.
    hosts: dict[int, int]


def current_arrangement(plan: GroupPlan) -> Current:
    """The arrangement as it stands: a host whose booking is no longer
    confirmed hosts no longer (the plan keeps them until the groups are
    formed again, as the booking's cancellation does not touch the plan)."""
    seats = list(
        GroupSeat.objects.filter(plan=plan)
        .select_related("booking__participant")
        .order_by("booking_id", "round")
    )
    bookings: dict[int, Booking] = {}
    left: set[int] = set()
    for seat in seats:
        if seat.booking.status == BookingStatus.CONFIRMED:
            bookings[seat.booking_id] = seat.booking
        else:
            left.add(seat.booking_id)
    hosts = {b: t for b, t in plan.host_tables().items() if b in bookings}
    choices = topic_choices_of_session(plan.session)
    people = tuple(
        person_of(
            booking,
            tables=plan.tables,
            host_table=hosts.get(booking.pk),
            choices=choices.get(booking.participant_id),
        )
        for booking in bookings.values()
    )
    grid: list[list[list[str]]] = [
        [[] for _ in range(plan.tables)] for _ in range(plan.rounds)
    ]
    for seat in seats:
        if seat.booking_id in bookings:
            grid[seat.round - 1][seat.table - 1].append(str(seat.booking_id))
    request = planner.Request(
        people=people,
        tables=plan.tables,
        rounds=plan.rounds,
        kind=planner.Kind(plan.kind),
        seed=plan.seed,
    )
    rounds = tuple(tuple(tuple(group) for group in r) for r in grid)
    return Current(request, rounds, bookings, len(left), hosts)


def figures_as_dict(figures: planner.Figures) -> dict[str, Any]:
    return dataclasses.asdict(figures)


# The Groups page.


@dataclass(frozen=True)
class SeatedPerson:
    booking_id: int
    participant_id: int
    name: str
    organisation: str
    constituency: str
    region: str
    language: str
    host_table: int | None


@dataclass(frozen=True)
class TableView:
    number: int
    topic: str
    people: list[SeatedPerson]


@dataclass(frozen=True)
class RoundView:
    number: int
    tables: list[TableView]


@dataclass(frozen=True)
class PlanView:
    plan: GroupPlan
    rounds: list[RoundView]
    figures: dict[str, Any]
    random_figures: dict[str, Any]
    # Everyone to be placed now (for the choice of hosts and of whom to move),
    # and those of them without a seat (late arrivals).
    people: list[SeatedPerson]
    unseated: list[SeatedPerson]
    # People seated once whose booking was cancelled since.
    left: int
    # Booking id -> table (from 1) of the hosts still booked.
    hosts: dict[int, int]


def seated_person(booking: Booking, hosts: dict[int, int]) -> SeatedPerson:
    participant = booking.participant
    region = region_of(str(participant.country)) if participant.country else None
    return SeatedPerson(
        booking_id=booking.pk,
        participant_id=participant.pk,
        name=participant.name,
        organisation=participant.organisation,
        constituency=str(Constituency(participant.constituency).label)
        if participant.constituency in Constituency.values
        else participant.constituency,
        region=str(Region(region).label) if region else "",
        language=str(Language(participant.language).label)
        if participant.language in Language.values
        else participant.language,
        host_table=hosts.get(booking.pk),
    )


def group_plan_of_session(session: Session) -> GroupPlan | None:
    return (
        GroupPlan.objects.filter(session=session).select_related("session__event")
    ).first()


def group_plan_on_delegates_pages(
    session: Session, *, fresh_for: float
) -> GroupPlan | None:
    """The session's plan (or none, the common case) as this process read it
    at most ``fresh_for`` seconds ago: the same on every delegate's page of
    the session; their own seats and choices are read on each."""
    return read_at_most_every(
        f"group-plan:{session.pk}", fresh_for, lambda: group_plan_of_session(session)
    )


def group_plan_view(session: Session) -> PlanView | None:
    """The session's arrangement, round by round and table by table, with its
    figures and the people still to seat; None if it has none."""
    plan = group_plan_of_session(session)
    if plan is None:
        return None
    current = current_arrangement(plan)
    hosts = current.hosts
    everyone = list(eligible_bookings(session, plan.whom))
    seated = set(current.bookings)
    rounds = []
    if current.bookings:
        for r, round_tables in enumerate(current.rounds, start=1):
            tables = []
            for t, group in enumerate(round_tables, start=1):
                people = sorted(
                    (seated_person(current.bookings[int(i)], hosts) for i in group),
                    key=lambda person: (person.host_table is None, person.name),
                )
                topic = plan.topic_name(t) if plan.kind == GroupKind.TOPICS else ""
                tables.append(TableView(t, topic, people))
            rounds.append(RoundView(r, tables))
    figures, random_figures = plan.figures, plan.random_figures
    if current.left and current.bookings:
        # Those still booked, beside a random arrangement of the same people.
        figures = figures_as_dict(planner.measure(current.request, current.rounds))
        try:
            random_figures = figures_as_dict(
                planner.random_arrangement(current.request).figures
            )
        except planner.PlanError:  # too few left for its tables: none shown
            random_figures = {}
    return PlanView(
        plan=plan,
        rounds=rounds,
        figures=figures,
        random_figures=random_figures,
        people=sorted(
            (seated_person(b, hosts) for b in everyone), key=lambda p: p.name
        ),
        unseated=sorted(
            (seated_person(b, hosts) for b in everyone if b.pk not in seated),
            key=lambda p: p.name,
        ),
        left=current.left,
        hosts=hosts,
    )


# A delegate's seats ("my sessions").


@dataclass(frozen=True)
class Seat:
    round: int
    table: int
    topic: str
    # A host stays at this table in every round.
    host: bool = False


@dataclass(frozen=True)
class SessionSeats:
    session: Session
    kind: str
    rounds: int
    published_at: datetime
    seats: list[Seat]


def seats_for_participant(
    participant: Participant,
    language: str | None = None,
    *,
    session: Session | None = None,
) -> list[SessionSeats]:
    """The delegate's tables in every published arrangement of the sessions
    (or of ``session`` alone) they hold a confirmed seat in, by the sessions'
    start; topics in ``language`` (else the active language)."""
    seats = GroupSeat.objects.filter(
        booking__participant=participant,
        booking__status=BookingStatus.CONFIRMED,
        plan__published_at__isnull=False,
    )
    if session is not None:
        seats = seats.filter(plan__session=session)
    seats = seats.select_related("plan__session__event").order_by(
        "plan__session__starts_at", "plan__session_id", "round"
    )
    result: dict[int, SessionSeats] = {}
    for seat in seats:
        plan = seat.plan
        entry = result.get(plan.pk)
        if entry is None and plan.published_at is not None:
            entry = result[plan.pk] = SessionSeats(
                plan.session, plan.kind, plan.rounds, plan.published_at, []
            )
        if entry is None:
            continue
        topic = (
            plan.topic_name(seat.table, language)
            if plan.kind == GroupKind.TOPICS
            else ""
        )
        host = plan.host_tables().get(seat.booking_id) == seat.table
        entry.seats.append(Seat(seat.round, seat.table, topic, host))
    return list(result.values())


def published_seats_of_bookings(
    booking_ids: list[int], language: str | None = None
) -> dict[int, list[Seat]]:
    """Booking id -> its seats round by round in a published arrangement, for
    those of the bookings that hold a confirmed seat (what the delegate is
    shown); topics in ``language`` (else the active one)."""
    result: dict[int, list[Seat]] = defaultdict(list)
    # Each plan once, its session and event read only if a topic is named: most
    # delegates hold no seat in a published plan, and this is on every "my
    # bookings" (a wide join costs more to build than the rows it brings).
    plans: dict[int, GroupPlan] = {}
    for seat in (
        GroupSeat.objects.filter(
            booking_id__in=booking_ids,
            booking__status=BookingStatus.CONFIRMED,
            plan__published_at__isnull=False,
        )
        .select_related("plan")
        .order_by("booking_id", "round")
    ):
        plan = plans.setdefault(seat.plan_id, seat.plan)
        topic = (
            plan.topic_name(seat.table, language)
            if plan.kind == GroupKind.TOPICS
            else ""
        )
        host = plan.host_tables().get(seat.booking_id) == seat.table
        result[seat.booking_id].append(Seat(seat.round, seat.table, topic, host))
    return dict(result)


def seats_by_booking(plan: GroupPlan) -> dict[int, list[Seat]]:
    """Booking id -> its seats, round by round, of the people still booked
    (for table cards and per-round lists)."""
    result: dict[int, list[Seat]] = defaultdict(list)
    hosts = plan.host_tables()
    for seat in GroupSeat.objects.filter(
        plan=plan, booking__status=BookingStatus.CONFIRMED
    ).order_by("booking_id", "round"):
        topic = plan.topic_name(seat.table) if plan.kind == GroupKind.TOPICS else ""
        host = hosts.get(seat.booking_id) == seat.table
        result[seat.booking_id].append(Seat(seat.round, seat.table, topic, host))
    return dict(result)


# Topics (working groups).


def session_topics(session: Session, language: str | None = None) -> list[str]:
    """The names of the session's topics, table 1 first, in ``language`` (else
    the active one); empty if its groups are not working groups on topics."""
    plan = group_plan_of_session(session)
    if plan is None or plan.kind != GroupKind.TOPICS:
        return []
    return [plan.topic_name(t, language) for t in range(1, len(plan.topics) + 1)]


def topic_preference_of(participant: Participant, session: Session) -> list[int]:
    """The tables (from 1) the delegate chose, in order; empty if none."""
    preference = TopicPreference.objects.filter(
        participant=participant, session=session
    ).first()
    return list(preference.choices) if preference else []


def people_to_place(session: Session, whom: str = Whom.CONFIRMED) -> list[SeatedPerson]:
    """The people a new arrangement would seat, by name (for choosing hosts
    before any arrangement exists)."""
    return sorted(
        (seated_person(booking, {}) for booking in eligible_bookings(session, whom)),
        key=lambda person: person.name,
    )


@dataclass(frozen=True)
class TopicOffer:
    """The topics a delegate may choose among (table 1 first) and the tables
    they chose so far, in order."""

    topics: list[str]
    chosen: list[int]


def topic_offer(
    session: Session, participant: Participant, language: str | None = None
) -> TopicOffer | None:
    """What the delegate may choose for the session's working groups, with
    topics in ``language`` (else the active one); None unless the session's
    groups are working groups with named topics and not yet published (once
    published, the tables are set and the delegate sees theirs instead)."""
    return topic_offer_in_plan(
        group_plan_of_session(session), session, participant, language
    )


def topic_offer_in_plan(
    plan: GroupPlan | None,
    session: Session,
    participant: Participant,
    language: str | None = None,
) -> TopicOffer | None:
    """``topic_offer`` for a caller that has read the session's plan already."""
    if (
        plan is None
        or plan.kind != GroupKind.TOPICS
        or not plan.topics
        or plan.is_published
    ):
        return None
    topics = [plan.topic_name(t, language) for t in range(1, len(plan.topics) + 1)]
    return TopicOffer(topics, topic_preference_of(participant, session))
