"""Stored arrangements: planned from the bookings, changed by one entry point
each, refused whole when the input is bad, read back for the pages."""

from collections import Counter
from itertools import combinations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.core.exceptions import ChangedMeanwhile, InvalidInput
from majlis.groups import services
from majlis.groups.models import GroupPlan, GroupSeat, TopicPreference
from majlis.groups.selectors import (
    group_plan_view,
    people_to_place,
    seats_by_booking,
    seats_for_participant,
    session_topics,
    topic_preference_of,
)
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

CONSTITUENCIES = ("government", "employers", "workers")
COUNTRIES = ("MA", "FR", "BR", "JP")


@pytest.fixture
def organiser():
    return User.objects.create_user("organiser")


def booked_session(people: int, *, alike: bool = False):
    """A session with ``people`` confirmed bookings, of mixed organisations,
    constituencies, regions and languages unless ``alike``."""
    event = EventFactory()
    session = SessionFactory(event=event, capacity=200)
    bookings = []
    for i in range(people):
        mixed = {
            "organisation": f"Org {i % 7}",
            "constituency": CONSTITUENCIES[i % 3],
            "country": COUNTRIES[i % 4],
            "language": ("en", "fr", "es", "ar")[i % 4],
        }
        participant = ParticipantFactory(event=event, **({} if alike else mixed))
        bookings.append(
            booking_create(
                participant=participant, session=session, actor=Actor.delegate()
            )
        )
    return session, bookings


def stored_rounds(plan: GroupPlan) -> dict[int, dict[int, set[int]]]:
    rounds: dict[int, dict[int, set[int]]] = {}
    for seat in GroupSeat.objects.filter(plan=plan):
        rounds.setdefault(seat.round, {}).setdefault(seat.table, set()).add(
            seat.booking_id
        )
    return rounds


def test_a_cafe_seats_every_confirmed_person_once_a_round(organiser):
    # Alike, so that meeting new people is all that is left to improve.
    session, bookings = booked_session(9, alike=True)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=3, rounds=4
    )
    rounds = stored_rounds(plan)
    assert sorted(rounds) == [1, 2, 3, 4]
    met = Counter()
    for tables in rounds.values():
        assert sorted(tables) == [1, 2, 3]
        assert sorted(len(group) for group in tables.values()) == [3, 3, 3]
        assert set().union(*tables.values()) == {b.pk for b in bookings}
        for group in tables.values():
            met.update(combinations(sorted(group), 2))
    # 9 people, 3 tables of 3, 4 rounds: the affine plane, nobody meets twice.
    assert max(met.values()) == 1
    assert plan.figures["repeated_pairs"] == 0
    assert plan.random_figures["sizes_within_one"] is True
    assert plan.version == 1
    assert plan.updated_by == organiser
    assert plan.published_at is None


def test_the_same_request_and_seed_store_the_same_arrangement(organiser):
    session, _ = booked_session(20)
    first = stored_rounds(
        services.plan_groups(
            actor=organiser, session=session, kind="cafe", tables=4, rounds=3, seed=5
        )
    )
    again = stored_rounds(
        services.plan_groups(
            actor=organiser, session=session, kind="cafe", tables=4, rounds=3, seed=5
        )
    )
    assert first == again
    assert GroupSeat.objects.count() == 20 * 3
    assert GroupPlan.objects.get().version == 2


def test_a_group_size_gives_as_few_tables_as_it_allows(organiser):
    session, _ = booked_session(13)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="teams", group_size=4
    )
    assert plan.tables == 4
    assert plan.group_size == 4
    sizes = sorted(len(g) for g in stored_rounds(plan)[1].values())
    assert sizes == [3, 3, 3, 4]


def test_only_the_checked_in_are_placed_when_asked(organiser):
    session, bookings = booked_session(8)
    Booking.objects.filter(pk__in=[b.pk for b in bookings[:4]]).update(
        checked_in_at=timezone.now()
    )
    plan = services.plan_groups(
        actor=organiser, session=session, kind="teams", tables=2, whom="checked_in"
    )
    assert {s.booking_id for s in plan.seats.all()} == {b.pk for b in bookings[:4]}


def test_hosts_stay_at_their_table_in_every_round(organiser):
    session, bookings = booked_session(12)
    host = bookings[5]
    plan = services.plan_groups(
        actor=organiser,
        session=session,
        kind="cafe",
        tables=3,
        rounds=3,
        hosts={host.pk: 2},
    )
    assert set(
        GroupSeat.objects.filter(plan=plan, booking=host).values_list(
            "table", flat=True
        )
    ) == {2}
    assert plan.hosts == {str(host.pk): 2}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "cafe", "tables": 5}, "Too few people for these tables"),
        ({"kind": "teams", "tables": 2, "rounds": 2}, "Teams are formed for one round"),
        ({"kind": "cafe", "tables": 2, "rounds": 0}, "between 1 and 50"),
        ({"kind": "cafe"}, "either the number of tables or the group size"),
        ({"kind": "cafe", "tables": 2, "group_size": 3}, "either the number"),
        ({"kind": "cafe", "group_size": 1}, "at least 2"),
        ({"kind": "party", "tables": 2}, "kind of groups"),
        ({"kind": "cafe", "tables": 2, "whom": "all"}, "whom to place"),
        ({"kind": "cafe", "tables": 2, "hosts": {999999: 1}}, "one of the people"),
        ({"kind": "cafe", "tables": 2, "hosts": {"first": 3}}, "between 1 and 2"),
        ({"kind": "topics", "topics": [{"en": "A"}, {"fr": " "}]}, "a name"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(organiser, arguments, message):
    session, bookings = booked_session(6)
    hosts = arguments.get("hosts")
    if hosts and "first" in hosts:
        arguments = {**arguments, "hosts": {bookings[0].pk: 3}}
    with pytest.raises(InvalidInput) as refused:
        services.plan_groups(actor=organiser, session=session, **arguments)
    assert message in str(refused.value.message)
    assert not GroupPlan.objects.exists()
    assert not GroupSeat.objects.exists()


def test_refusals_are_told_in_the_readers_language(organiser):
    from django.utils import translation

    session, _ = booked_session(3)
    with translation.override("fr"), pytest.raises(InvalidInput) as refused:
        services.plan_groups(actor=organiser, session=session, kind="cafe", tables=2)
    assert "Trop peu" in str(refused.value.message)


def test_a_page_showing_an_older_version_changes_nothing(organiser):
    session, bookings = booked_session(8)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=2, rounds=2
    )
    seen = plan.version
    services.publish(actor=organiser, plan=plan, expected_version=seen)
    with pytest.raises(ChangedMeanwhile):
        services.unpublish(actor=organiser, plan=plan, expected_version=seen)
    with pytest.raises(ChangedMeanwhile):
        services.move_person(
            actor=organiser,
            plan=plan,
            booking=bookings[0],
            round=1,
            table=2,
            expected_version=seen,
        )
    assert GroupPlan.objects.get().published_at is not None
    # Planning from a page that showed no plan, when one exists meanwhile.
    other, _ = booked_session(4)
    services.plan_groups(actor=organiser, session=other, kind="teams", tables=2)
    with pytest.raises(ChangedMeanwhile):
        services.plan_groups(
            actor=organiser, session=other, kind="teams", tables=2, expected_version=0
        )


def test_a_published_arrangement_is_not_formed_again(organiser):
    session, _ = booked_session(6)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="teams", tables=2
    )
    services.publish(actor=organiser, plan=plan)
    before = stored_rounds(plan)
    with pytest.raises(InvalidInput):
        services.plan_groups(
            actor=organiser, session=session, kind="teams", tables=3, seed=9
        )
    assert stored_rounds(plan) == before
    services.unpublish(actor=organiser, plan=plan)
    assert GroupPlan.objects.get().published_at is None
    services.plan_groups(actor=organiser, session=session, kind="teams", tables=3)
    assert len(stored_rounds(plan)[1]) == 3


def test_moving_a_person_moves_nobody_else_and_remeasures(organiser):
    session, bookings = booked_session(8)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=2, rounds=2
    )
    before = {
        (s.booking_id, s.round): s.table for s in GroupSeat.objects.filter(plan=plan)
    }
    mover = bookings[3]
    target = 3 - before[(mover.pk, 2)]
    plan = services.move_person(
        actor=organiser, plan=plan, booking=mover, round=2, table=target
    )
    after = {
        (s.booking_id, s.round): s.table for s in GroupSeat.objects.filter(plan=plan)
    }
    assert after[(mover.pk, 2)] == target
    assert {k: v for k, v in after.items() if k != (mover.pk, 2)} == {
        k: v for k, v in before.items() if k != (mover.pk, 2)
    }
    # 8 at 2 tables: one round of 5 and 3 now.
    assert plan.figures["sizes_within_one"] is False
    for round_, table in ((3, 1), (1, 3)):
        with pytest.raises(InvalidInput):
            services.move_person(
                actor=organiser, plan=plan, booking=mover, round=round_, table=table
            )
    assert GroupSeat.objects.get(plan=plan, booking=mover, round=2).table == target


def test_a_host_is_not_moved_away_from_their_table(organiser):
    session, bookings = booked_session(8)
    plan = services.plan_groups(
        actor=organiser,
        session=session,
        kind="cafe",
        tables=2,
        rounds=2,
        hosts={bookings[0].pk: 1},
    )
    with pytest.raises(InvalidInput, match="host stays"):
        services.move_person(
            actor=organiser, plan=plan, booking=bookings[0], round=1, table=2
        )


def test_a_host_whose_booking_is_cancelled_hosts_no_longer(organiser):
    """The plan still names them (nothing changes it on a cancellation), but
    the arrangement, its page and the planner count them out: forming the
    groups with them as host is refused, and nobody seats them again."""
    session, bookings = booked_session(9)
    gone, staying = bookings[0], bookings[1]
    plan = services.plan_groups(
        actor=organiser,
        session=session,
        kind="cafe",
        tables=3,
        rounds=2,
        hosts={gone.pk: 1, staying.pk: 2},
    )
    booking_cancel(booking=gone, actor=Actor.organiser(organiser))

    view = group_plan_view(session)
    assert view.hosts == {staying.pk: 2}
    assert [p.host_table for p in view.people if p.booking_id == staying.pk] == [2]
    with pytest.raises(InvalidInput, match="one of the people"):
        services.plan_groups(
            actor=organiser,
            session=session,
            kind="cafe",
            tables=3,
            rounds=2,
            hosts=plan.host_tables(),
        )
    booking_create(
        participant=ParticipantFactory(event=session.event),
        session=session,
        actor=Actor.delegate(),
    )
    assert services.seat_late_arrivals(actor=organiser, plan=plan) == 1
    plan = services.plan_groups(
        actor=organiser,
        session=session,
        kind="cafe",
        tables=3,
        rounds=2,
        hosts=view.hosts,
        seed=1,
    )
    assert plan.hosts == {str(staying.pk): 2}
    assert not GroupSeat.objects.filter(booking=gone).exists()
    assert set(
        GroupSeat.objects.filter(booking=staying).values_list("table", flat=True)
    ) == {2}


def test_late_arrivals_join_the_least_full_tables_and_nobody_moves(organiser):
    session, _ = booked_session(9)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=3, rounds=3
    )
    before = set(GroupSeat.objects.values_list("booking_id", "round", "table"))
    late = booking_create(
        participant=ParticipantFactory(event=session.event),
        session=session,
        actor=Actor.delegate(),
    )
    view = group_plan_view(session)
    assert [p.booking_id for p in view.unseated] == [late.pk]
    assert services.seat_late_arrivals(actor=organiser, plan=plan) == 1
    after = set(GroupSeat.objects.values_list("booking_id", "round", "table"))
    assert before < after
    assert {row[0] for row in after - before} == {late.pk}
    assert len(after - before) == 3
    plan.refresh_from_db()
    assert plan.figures["sizes_within_one"] is True
    assert services.seat_late_arrivals(actor=organiser, plan=plan) == 0
    assert group_plan_view(session).unseated == []


def test_late_arrivals_need_an_arrangement(organiser):
    session, _ = booked_session(4)
    plan = services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A"}, {"en": "B"}]
    )
    with pytest.raises(InvalidInput):
        services.seat_late_arrivals(actor=organiser, plan=plan)
    with pytest.raises(InvalidInput):
        services.publish(actor=organiser, plan=plan)


def test_a_cancelled_booking_leaves_the_arrangement(organiser):
    session, bookings = booked_session(8)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=2, rounds=2
    )
    services.publish(actor=organiser, plan=plan)
    gone = bookings[2]
    booking_cancel(booking=gone, actor=Actor.delegate())
    view = group_plan_view(session)
    assert view.left == 1
    seated = {
        person.booking_id
        for round_ in view.rounds
        for table in round_.tables
        for person in table.people
    }
    assert gone.pk not in seated
    assert len(seated) == 7
    assert view.figures["sizes_within_one"] is True  # 4 and 3
    assert seats_for_participant(gone.participant) == []
    # Moving them is refused: they have no seat any more.
    with pytest.raises(InvalidInput):
        services.move_person(actor=organiser, plan=plan, booking=gone, round=1, table=1)


def test_after_cancellations_the_random_figures_are_of_the_same_people(organiser):
    """The page sets the arrangement of those still booked beside a random
    arrangement of the same people: not one of everyone first seated."""
    session, bookings = booked_session(12)
    services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=3, rounds=3
    )
    before = group_plan_view(session)
    # 12 people at 3 tables of 4 over 3 rounds: some pairs must meet again.
    assert before.figures["lower_bound"] == before.random_figures["lower_bound"] > 0
    for gone in bookings[:3]:
        booking_cancel(booking=gone, actor=Actor.delegate())
    view = group_plan_view(session)
    assert view.left == 3
    # 9 people at 3 tables of 3: nothing forces a pair to meet twice.
    assert view.figures["lower_bound"] == 0
    assert view.random_figures["lower_bound"] == view.figures["lower_bound"]
    # Too few left for a random arrangement of 3 tables: none is shown.
    for gone in bookings[3:7]:
        booking_cancel(booking=gone, actor=Actor.delegate())
    view = group_plan_view(session)
    assert view.left == 7
    assert view.random_figures == {}


def test_a_delegate_sees_only_published_seats_with_their_topic(organiser):
    session, bookings = booked_session(6)
    topics = [{"en": "Jobs", "fr": "Emplois"}, {"en": "Skills", "ar": "المهارات"}]
    services.set_topics(actor=organiser, session=session, topics=topics)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="topics", rounds=2
    )
    assert plan.tables == 2
    assert plan.topics == topics
    delegate = bookings[0].participant
    assert seats_for_participant(delegate) == []
    services.publish(actor=organiser, plan=plan)
    [entry] = seats_for_participant(delegate, "fr")
    assert entry.session == session
    assert [seat.round for seat in entry.seats] == [1, 2]
    table = GroupSeat.objects.get(plan=plan, booking=bookings[0], round=1).table
    assert entry.seats[0].table == table
    assert entry.seats[0].topic == ["Emplois", "Skills"][table - 1]
    # Arabic falls back to the event's main language where a name is missing.
    [entry] = seats_for_participant(delegate, "ar")
    assert entry.seats[0].topic == ["Jobs", "المهارات"][table - 1]


def test_topic_preferences_are_honoured(organiser):
    session, bookings = booked_session(8)
    services.set_topics(
        actor=organiser,
        session=session,
        topics=[{"en": "Jobs"}, {"en": "Skills"}],
    )
    for booking in bookings:
        services.set_topic_preference(
            participant=booking.participant, session=session, choices=[2, 1]
        )
    services.set_topic_preference(
        participant=bookings[0].participant, session=session, choices=[1]
    )
    assert topic_preference_of(bookings[0].participant, session) == [1]
    assert session_topics(session) == ["Jobs", "Skills"]
    plan = services.plan_groups(actor=organiser, session=session, kind="topics")
    # 7 want Skills first, 1 Jobs; four seats a table: 5 of 8 get their first.
    assert plan.figures["first_choice_share"] == pytest.approx(5 / 8)
    assert GroupSeat.objects.get(plan=plan, booking=bookings[0]).table == 1


@pytest.mark.parametrize("choices", [[3], [1, 1], [0]])
def test_a_topic_preference_must_name_offered_topics_once(organiser, choices):
    session, bookings = booked_session(4)
    services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A"}, {"en": "B"}]
    )
    with pytest.raises(InvalidInput):
        services.set_topic_preference(
            participant=bookings[0].participant, session=session, choices=choices
        )
    assert not TopicPreference.objects.exists()


def test_a_topic_preference_needs_topics_and_a_booking(organiser):
    session, bookings = booked_session(4)
    with pytest.raises(InvalidInput, match="no topics"):
        services.set_topic_preference(
            participant=bookings[0].participant, session=session, choices=[1]
        )
    services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A"}, {"en": "B"}]
    )
    stranger = ParticipantFactory(event=session.event)
    with pytest.raises(InvalidInput, match="Book the session"):
        services.set_topic_preference(
            participant=stranger, session=session, choices=[1]
        )
    services.set_topic_preference(
        participant=bookings[0].participant, session=session, choices=[2]
    )
    services.set_topic_preference(
        participant=bookings[0].participant, session=session, choices=[]
    )
    assert not TopicPreference.objects.exists()


def test_topics_can_no_longer_be_chosen_once_the_groups_are_published(organiser):
    session, bookings = booked_session(4)
    services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A"}, {"en": "B"}]
    )
    delegate = bookings[0].participant
    services.set_topic_preference(participant=delegate, session=session, choices=[2])
    plan = services.plan_groups(actor=organiser, session=session, kind="topics")
    services.publish(actor=organiser, plan=plan)
    for choices in ([1], []):
        with pytest.raises(InvalidInput, match="already formed") as refused:
            services.set_topic_preference(
                participant=delegate, session=session, choices=choices
            )
        assert refused.value.extra == {"reason": "published"}
    assert topic_preference_of(delegate, session) == [2]
    with translation.override("fr"):
        with pytest.raises(InvalidInput) as refused:
            services.set_topic_preference(
                participant=delegate, session=session, choices=[1]
            )
        assert "already formed" not in str(refused.value.message)
    services.unpublish(actor=organiser, plan=plan)
    services.set_topic_preference(participant=delegate, session=session, choices=[1])
    assert topic_preference_of(delegate, session) == [1]


def test_topics_keep_the_number_of_tables_once_seated(organiser):
    session, _ = booked_session(6)
    services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A"}, {"en": "B"}]
    )
    services.plan_groups(actor=organiser, session=session, kind="topics")
    services.set_topics(
        actor=organiser, session=session, topics=[{"en": "A."}, {"en": "B."}]
    )
    with pytest.raises(InvalidInput):
        services.set_topics(
            actor=organiser,
            session=session,
            topics=[{"en": "A"}, {"en": "B"}, {"en": "C"}],
        )
    assert session_topics(session) == ["A.", "B."]


def test_the_page_view_lists_tables_with_people_and_hosts_first(organiser):
    session, bookings = booked_session(6)
    services.plan_groups(
        actor=organiser,
        session=session,
        kind="teams",
        tables=2,
        hosts={bookings[4].pk: 1},
    )
    view = group_plan_view(session)
    [round_] = view.rounds
    first = round_.tables[0]
    assert first.number == 1
    assert first.people[0].booking_id == bookings[4].pk
    assert first.people[0].host_table == 1
    assert len(view.people) == 6
    person = next(p for p in view.people if p.booking_id == bookings[1].pk)
    assert person.constituency == "Employers' organisation"
    assert person.region == "Europe"
    assert person.language == "French"


def test_seats_by_booking_lists_each_persons_tables_round_by_round(organiser):
    session, bookings = booked_session(8)
    plan = services.plan_groups(
        actor=organiser, session=session, kind="cafe", tables=2, rounds=3
    )
    booking_cancel(booking=bookings[7], actor=Actor.delegate())
    seats = seats_by_booking(plan)
    assert set(seats) == {b.pk for b in bookings[:7]}
    first = seats[bookings[0].pk]
    assert [seat.round for seat in first] == [1, 2, 3]
    assert [seat.table for seat in first] == list(
        GroupSeat.objects.filter(plan=plan, booking=bookings[0])
        .order_by("round")
        .values_list("table", flat=True)
    )
    assert [p.booking_id for p in people_to_place(session)] == sorted(
        (b.pk for b in bookings[:7]),
        key=lambda pk: Booking.objects.get(pk=pk).participant.name,
    )
