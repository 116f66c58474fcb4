"""The only changes to a session's groups: one function per change.

Each takes the acting member of staff, whom it records; whether they may act
on the session is asked by the caller (the back office, with
``majlis.backoffice.access``, as for every other change it makes), since this
layer sits below it. Changes to an arrangement take its row lock and, when
given ``expected_version`` (the version the sender's page showed), refuse with
``ChangedMeanwhile`` if someone else changed it since. Bad input is refused
with ``InvalidInput`` in the reader's language, and nothing is changed.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from majlis.accounts.models import Participant
from majlis.bookings.models import Booking, BookingStatus
from majlis.core.exceptions import ChangedMeanwhile, InvalidInput
from majlis.core.translation import LANGUAGE_CODES
from majlis.events.models import Session
from majlis.groups import planner
from majlis.groups.models import GroupKind, GroupPlan, GroupSeat, TopicPreference, Whom
from majlis.groups.selectors import (
    current_arrangement,
    eligible_bookings,
    figures_as_dict,
    person_of,
    topic_choices_of_session,
)
from majlis.outbox.services import outbox_enqueue

PLAN_ERRORS = {
    "tables": _("The number of tables must be at least 1."),
    "rounds": _("The number of rounds must be between 1 and %(most)d."),
    "teams_rounds": _("Teams are formed for one round: choose one round."),
    "host_table": _("A host's table must be between 1 and %(tables)d."),
    "host_table_full": _(
        "Table %(table)d is among the fullest in round %(round)d: its host "
        "cannot join it without unbalancing the tables."
    ),
    "round_number": _("There is no round %(round)d."),
    "table_number": _("There is no table %(table)d."),
    "unknown_id": _("This person has no seat in this arrangement."),
}
TOO_FEW = ngettext_lazy(
    "Too few people for these tables: each table needs at least two, and "
    "%(count)d person is to be placed.",
    "Too few people for these tables: each table needs at least two, and "
    "%(count)d people are to be placed.",
    "count",
)
# The most tables an arrangement has (the Groups page's fields say the same):
# topics give the number of tables, and would otherwise give any number.
MOST_TABLES = 500
TOO_MANY_TOPICS = ngettext_lazy(
    "Give at most %(count)d topic, one per table.",
    "Give at most %(count)d topics, one per table.",
    "count",
)
TOO_MANY_HOSTS = ngettext_lazy(
    "Too many hosts at one table: here a table holds at most %(count)d person.",
    "Too many hosts at one table: here a table holds at most %(count)d people.",
    "count",
)


def invalid_plan(error: planner.PlanError) -> InvalidInput:
    """The planner's refusal, in the reader's language."""
    params: dict[str, Any] = dict(error.params)
    if error.code == "too_few":
        message = TOO_FEW % {"count": params["people"]}
    elif error.code == "hosts":
        message = TOO_MANY_HOSTS % {"count": params["most"]}
    elif error.code in PLAN_ERRORS:
        message = PLAN_ERRORS[error.code] % params
    else:
        return InvalidInput(extra={"reason": error.code})
    return InvalidInput(message, extra={"reason": error.code})


def _locked(plan: GroupPlan, expected_version: int | None) -> GroupPlan:
    """The plan, locked for the change, if it is still at the version the
    caller saw (``None``: whatever version); ``ChangedMeanwhile`` if not."""
    locked = (
        GroupPlan.objects.select_for_update()
        .select_related("session__event")
        .get(pk=plan.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ChangedMeanwhile()
    return locked


def _saved(plan: GroupPlan, actor: AbstractBaseUser | None, *fields: str) -> None:
    plan.version += 1
    plan.updated_by_id = actor.pk if actor is not None else None
    plan.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def _clean_topics(topics: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    if len(topics) > MOST_TABLES:
        raise InvalidInput(TOO_MANY_TOPICS % {"count": MOST_TABLES})
    cleaned = []
    for texts in topics:
        entry = {
            code: " ".join(str(texts.get(code, "")).split())
            for code in LANGUAGE_CODES
            if str(texts.get(code, "")).strip()
        }
        if any(len(text) > 200 for text in entry.values()):
            raise InvalidInput(_("A topic's name must fit in 200 characters."))
        cleaned.append(entry)
    if any(not entry for entry in cleaned):
        raise InvalidInput(_("Every topic needs a name in at least one language."))
    return cleaned


def _tables(
    kind: str,
    tables: int | None,
    group_size: int | None,
    topics: list[dict[str, str]],
    people: int,
) -> int:
    if kind == GroupKind.TOPICS and topics:
        if tables is not None and tables != len(topics):
            raise InvalidInput(
                _(
                    "Working groups have one table per topic: give as many topics as tables."
                )
            )
        return len(topics)
    either = _("Give either the number of tables or the group size.")
    if group_size is not None:
        if tables is not None:
            raise InvalidInput(either)
        if group_size < 2:
            raise InvalidInput(_("The group size must be at least 2."))
        return max(1, -(-people // group_size))
    if tables is None:
        raise InvalidInput(either)
    return tables


@transaction.atomic
def plan_groups(
    *,
    actor: AbstractBaseUser | None,
    session: Session,
    kind: str,
    tables: int | None = None,
    group_size: int | None = None,
    rounds: int = 1,
    hosts: Mapping[int, int] | None = None,
    whom: str = Whom.CONFIRMED,
    seed: int = 0,
    topics: Sequence[Mapping[str, str]] | None = None,
    expected_version: int | None = None,
) -> GroupPlan:
    """Form the session's groups afresh from its bookings (confirmed, or only
    checked in) and store them, replacing the previous draft.

    ``tables`` or ``group_size`` (the largest table; the tables are as few as
    that allows); for working groups, ``topics`` (one ``{language: name}``
    per table) give the number of tables; the stored topics are kept when
    ``topics`` is None (and whatever the kind). ``hosts``: booking id -> table (from 1). A published
    arrangement is not replanned: it must be unpublished first.
    """
    if kind not in GroupKind.values:
        raise InvalidInput(_("Choose the kind of groups."))
    if whom not in Whom.values:
        raise InvalidInput(_("Choose whom to place."))
    if seed < 0 or seed > 2**31 - 1:
        raise InvalidInput(_("The seed must be a whole number from 0."))
    plan, _created = GroupPlan.objects.get_or_create(
        session=session, defaults={"kind": kind, "tables": 1}
    )
    plan = _locked(plan, expected_version)
    if plan.is_published:
        raise InvalidInput(
            _(
                "This arrangement is published: unpublish it before forming the groups again."
            )
        )
    # Topics are kept whatever the kind, for a return to working groups.
    cleaned_topics = _clean_topics(topics) if topics is not None else plan.topics
    bookings = list(eligible_bookings(session, whom))
    table_count = _tables(kind, tables, group_size, cleaned_topics, len(bookings))
    host_tables = {int(b): int(t) for b, t in (hosts or {}).items()}
    by_id = {booking.pk: booking for booking in bookings}
    if any(booking not in by_id for booking in host_tables):
        raise InvalidInput(_("A host must be one of the people to place."))
    choices = topic_choices_of_session(session) if kind == GroupKind.TOPICS else {}
    request = planner.Request(
        people=tuple(
            person_of(
                booking,
                tables=table_count,
                host_table=host_tables.get(booking.pk),
                choices=choices.get(booking.participant_id),
            )
            for booking in bookings
        ),
        tables=table_count,
        rounds=rounds,
        kind=planner.Kind(kind),
        seed=seed,
    )
    try:
        result = planner.plan(request)
    except planner.PlanError as error:
        raise invalid_plan(error) from error
    plan.kind = kind
    plan.tables = table_count
    plan.group_size = (
        group_size if not (kind == GroupKind.TOPICS and cleaned_topics) else None
    )
    plan.rounds = rounds
    plan.seed = seed
    plan.whom = whom
    plan.topics = cleaned_topics
    plan.hosts = {str(b): t for b, t in sorted(host_tables.items())}
    plan.figures = figures_as_dict(result.arrangement.figures)
    plan.random_figures = figures_as_dict(result.random.figures)
    plan.method = result.method[:200]
    _saved(
        plan,
        actor,
        "kind",
        "tables",
        "group_size",
        "rounds",
        "seed",
        "whom",
        "topics",
        "hosts",
        "figures",
        "random_figures",
        "method",
    )
    _store_seats(plan, result.arrangement.rounds)
    return plan


def _store_seats(plan: GroupPlan, rounds: planner.Rounds) -> None:
    GroupSeat.objects.filter(plan=plan).delete()
    GroupSeat.objects.bulk_create(
        GroupSeat(plan=plan, booking_id=int(i), round=r, table=t)
        for r, round_tables in enumerate(rounds, start=1)
        for t, group in enumerate(round_tables, start=1)
        for i in group
    )


@transaction.atomic
def move_person(
    *,
    actor: AbstractBaseUser | None,
    plan: GroupPlan,
    booking: Booking,
    round: int,
    table: int,
    expected_version: int | None = None,
) -> GroupPlan:
    """Seat one person at another table in one round (both from 1); nobody
    else moves, and the figures are measured again. A host stays at their
    table."""
    plan = _locked(plan, expected_version)
    current = current_arrangement(plan)
    if current.hosts.get(booking.pk) not in (None, table):
        raise InvalidInput(
            _(
                "A host stays at their table: change the hosts and form the groups again."
            )
        )
    try:
        moved = planner.move_person(
            current.request, current.rounds, str(booking.pk), round - 1, table - 1
        )
    except planner.PlanError as error:
        raise invalid_plan(error) from error
    GroupSeat.objects.filter(plan=plan, booking=booking, round=round).update(
        table=table
    )
    plan.figures = figures_as_dict(moved.figures)
    _saved(plan, actor, "figures")
    return plan


@transaction.atomic
def seat_late_arrivals(
    *,
    actor: AbstractBaseUser | None,
    plan: GroupPlan,
    expected_version: int | None = None,
) -> int:
    """Seat everyone now to be placed who has no seat yet, each in every round
    at one of the least full tables (the best of them for their topics and
    the mix), without moving anyone else. Returns how many were seated."""
    plan = _locked(plan, expected_version)
    current = current_arrangement(plan)
    if not current.bookings:
        raise InvalidInput(_("Form the groups first."))
    hosts = current.hosts
    choices = topic_choices_of_session(plan.session)
    request, rounds = current.request, current.rounds
    newcomers = [
        booking
        for booking in eligible_bookings(plan.session, plan.whom)
        if booking.pk not in current.bookings
    ]
    if not newcomers:
        return 0
    for booking in newcomers:
        person = person_of(
            booking,
            tables=plan.tables,
            host_table=hosts.get(booking.pk),
            choices=choices.get(booking.participant_id),
        )
        try:
            request, arrangement = planner.add_late_arrival(request, rounds, person)
        except planner.PlanError as error:
            raise invalid_plan(error) from error
        rounds = arrangement.rounds
    seated = {booking.pk for booking in newcomers}
    GroupSeat.objects.bulk_create(
        GroupSeat(plan=plan, booking_id=int(i), round=r, table=t)
        for r, round_tables in enumerate(rounds, start=1)
        for t, group in enumerate(round_tables, start=1)
        for i in group
        if int(i) in seated
    )
    plan.figures = figures_as_dict(arrangement.figures)
    plan.random_figures = figures_as_dict(planner.random_arrangement(request).figures)
    _saved(plan, actor, "figures", "random_figures")
    return len(newcomers)


@transaction.atomic
def publish(
    *,
    actor: AbstractBaseUser | None,
    plan: GroupPlan,
    expected_version: int | None = None,
) -> GroupPlan:
    """Show the arrangement to its delegates ("my sessions")."""
    plan = _locked(plan, expected_version)
    if not GroupSeat.objects.filter(plan=plan).exists():
        raise InvalidInput(_("Form the groups first."))
    if plan.published_at is None:
        plan.published_at = timezone.now()
        _saved(plan, actor, "published_at")
    return plan


@transaction.atomic
def unpublish(
    *,
    actor: AbstractBaseUser | None,
    plan: GroupPlan,
    expected_version: int | None = None,
) -> GroupPlan:
    """Take the arrangement back to a draft the delegates do not see."""
    plan = _locked(plan, expected_version)
    if plan.published_at is not None:
        plan.published_at = None
        _saved(plan, actor, "published_at")
    return plan


# The kind of message that tells a delegate their tables (``groups/emails.py``).
SEATS_MESSAGE = "group_seats"


@transaction.atomic
def email_arrangement(
    *,
    actor: AbstractBaseUser | None,
    plan: GroupPlan,
    expected_version: int | None = None,
) -> int:
    """Queue one message to each seated delegate (still booked), in their
    language, telling their table in each round as the arrangement is now: the
    seats and topics go into the message, so a later change does not rewrite
    what was sent. Records ``emailed_at``; returns how many were queued.
    Refused unless the arrangement is published (the delegates can then see
    the same on their sessions page)."""
    plan = _locked(plan, expected_version)
    if not plan.is_published:
        raise InvalidInput(
            _("Publish the arrangement before emailing the delegates their tables.")
        )
    seats: dict[int, list[GroupSeat]] = {}
    for seat in (
        GroupSeat.objects.filter(plan=plan, booking__status=BookingStatus.CONFIRMED)
        .select_related("booking__participant")
        .order_by("booking_id", "round")
    ):
        seats.setdefault(seat.booking_id, []).append(seat)
    hosts = plan.host_tables()
    for booking_seats in seats.values():
        participant = booking_seats[0].booking.participant
        language = participant.language
        outbox_enqueue(
            kind=SEATS_MESSAGE,
            to_email=participant.email,
            language=language,
            payload={
                "booking": booking_seats[0].booking_id,
                "rounds": plan.rounds,
                "seats": [
                    {
                        "round": seat.round,
                        "table": seat.table,
                        "topic": plan.topic_name(seat.table, language)
                        if plan.kind == GroupKind.TOPICS
                        else "",
                        "host": hosts.get(seat.booking_id) == seat.table,
                    }
                    for seat in booking_seats
                ],
            },
        )
    plan.emailed_at = timezone.now()
    _saved(plan, actor, "emailed_at")
    return len(seats)


@transaction.atomic
def set_topics(
    *,
    actor: AbstractBaseUser | None,
    session: Session,
    topics: Sequence[Mapping[str, str]],
    expected_version: int | None = None,
) -> GroupPlan:
    """Name the topics of the session's working groups (one ``{language:
    name}`` per table), before or after forming them, so that delegates can
    choose among them. Once the groups are formed, the number of topics
    stays that of the tables."""
    cleaned = _clean_topics(topics)
    if not cleaned:
        raise InvalidInput(_("Give at least one topic."))
    plan, _created = GroupPlan.objects.get_or_create(
        session=session,
        defaults={"kind": GroupKind.TOPICS, "tables": len(cleaned)},
    )
    plan = _locked(plan, expected_version)
    seated = GroupSeat.objects.filter(plan=plan).exists()
    if seated and (plan.kind != GroupKind.TOPICS or plan.tables != len(cleaned)):
        raise InvalidInput(
            _("Working groups have one table per topic: give as many topics as tables.")
        )
    plan.kind = GroupKind.TOPICS
    plan.tables = len(cleaned)
    plan.topics = cleaned
    _saved(plan, actor, "kind", "tables", "topics")
    return plan


@transaction.atomic
def set_topic_preference(
    *, participant: Participant, session: Session, choices: Sequence[int]
) -> TopicPreference | None:
    """Record the delegate's topics in order of preference (tables from 1);
    an empty list removes them. Only a delegate with a seat or a place in
    line in a session whose working groups have topics may choose, until
    the arrangement is published: the tables are set from then on."""
    plan = GroupPlan.objects.filter(session=session).first()
    if plan is None or plan.kind != GroupKind.TOPICS or not plan.topics:
        raise InvalidInput(_("This session has no topics to choose from."))
    if plan.is_published:
        raise InvalidInput(
            _("The working groups are already formed: topics can no longer be chosen."),
            extra={"reason": "published"},
        )
    if not Booking.objects.filter(
        participant=participant,
        session=session,
        status__in=(BookingStatus.CONFIRMED, BookingStatus.WAITLISTED),
    ).exists():
        raise InvalidInput(_("Book the session before choosing its topics."))
    wanted = [int(choice) for choice in choices]
    if len(set(wanted)) != len(wanted) or any(
        not 1 <= choice <= len(plan.topics) for choice in wanted
    ):
        raise InvalidInput(_("Choose each topic at most once, among those offered."))
    if not wanted:
        TopicPreference.objects.filter(
            participant=participant, session=session
        ).delete()
        return None
    preference, _created = TopicPreference.objects.update_or_create(
        participant=participant, session=session, defaults={"choices": wanted}
    )
    return preference


def topic_preferences_erase(*, participant_ids: Sequence[int]) -> int:
    """Delete the topic choices of these delegates, whose personal data is
    being erased (their account deleted, or the event's data after the
    conference); returns how many sessions' choices went. Their seats stay:
    they hang on bookings, which stay, anonymous."""
    deleted, _by_model = TopicPreference.objects.filter(
        participant_id__in=list(participant_ids)
    ).delete()
    return deleted
