"""A session's Groups page: who may see and change it, and each of its
actions as a plain form post (no JavaScript), bad input changing nothing."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.groups import services
from majlis.groups.models import GroupPlan, GroupSeat
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db
PAGE = "/en/backoffice/casa/s/cafe/groups/"
CONSTITUENCIES = ("government", "employers", "workers")


@pytest.fixture
def world():
    event = EventFactory(slug="casa")
    cafe = SessionFactory(event=event, code="cafe", title_en="Income and gender")
    other = SessionFactory(
        event=event,
        code="other",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    bookings = []
    for i in range(12):
        participant = ParticipantFactory(
            event=event,
            name=f"Person {i:02d}",
            organisation=f"Org {i % 5}",
            constituency=CONSTITUENCIES[i % 3],
            country=("MA", "FR", "BR")[i % 3],
        )
        bookings.append(
            booking_create(
                participant=participant, session=cafe, actor=Actor.delegate()
            )
        )
    users = {}
    for name, role, sessions in (
        ("secretariat", "secretariat", []),
        ("organiser", "organiser", [cafe]),
        ("elsewhere", "organiser", [other]),
        ("door", "door", [cafe]),
    ):
        user = User.objects.create_user(name, f"{name}@example.org", "pw-123-long")
        staff_role = StaffRole.objects.create(user=user, event=event, role=role)
        staff_role.sessions.set(sessions)
        users[name] = user
    return {"session": cafe, "bookings": bookings, "users": users}


def signed_in(world, name: str) -> Client:
    client = Client()
    client.force_login(world["users"][name])
    return client


FORM = {
    "version": "0",
    "kind": "cafe",
    "tables": "3",
    "group_size": "",
    "rounds": "3",
    "whom": "confirmed",
    "seed": "0",
    "host_1": "",
    "host_table_1": "",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [("secretariat", 200), ("organiser", 200), ("elsewhere", 404), ("door", 403)],
)
def test_who_may_see_the_page(world, who, status):
    assert signed_in(world, who).get(PAGE).status_code == status


@pytest.mark.parametrize("address", ["", "move/", "late/", "publish/"])
@pytest.mark.parametrize(("who", "status"), [("elsewhere", 404), ("door", 403)])
def test_who_may_not_change_anything(world, who, status, address):
    services.plan_groups(
        actor=None, session=world["session"], kind="cafe", tables=3, rounds=2
    )
    response = signed_in(world, who).post(PAGE + address, {**FORM, "version": "1"})
    assert response.status_code == status
    plan = GroupPlan.objects.get()
    assert plan.version == 1
    assert plan.published_at is None


def test_anonymous_people_are_sent_to_sign_in(world):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/backoffice/login/" in response["Location"]
    assert Client().post(PAGE + "publish/").status_code == 302


def test_the_roster_links_to_the_groups(world):
    page = signed_in(world, "organiser").get("/en/backoffice/casa/s/cafe/roster/")
    assert PAGE in page.content.decode()


def test_forming_the_groups_shows_tables_and_figures(world):
    client = signed_in(world, "organiser")
    page = client.get(PAGE).content.decode()
    assert "No groups formed yet." in page
    response = client.post(PAGE, FORM)
    assert response.status_code == 302
    plan = GroupPlan.objects.get()
    assert (plan.kind, plan.tables, plan.rounds) == ("cafe", 3, 3)
    assert plan.updated_by == world["users"]["organiser"]
    assert GroupSeat.objects.count() == 12 * 3
    page = client.get(PAGE).content.decode()
    assert "The groups are formed" in page
    assert "Round 3" in page
    assert "Table 3" in page
    assert "<bdi>Person 00</bdi>" in page
    assert "Pairs who sit together in more than one round" in page
    assert "A random arrangement" in page
    assert "Draft" in page


def test_trying_another_takes_the_next_seed(world):
    client = signed_in(world, "secretariat")
    client.post(PAGE, FORM)
    client.post(PAGE, {**FORM, "version": "1", "another": "1"})
    plan = GroupPlan.objects.get()
    assert (plan.seed, plan.version) == (1, 2)


def test_a_group_size_and_hosts(world):
    host = world["bookings"][4]
    client = signed_in(world, "organiser")
    client.post(
        PAGE,
        {
            **FORM,
            "tables": "",
            "group_size": "5",
            "host_1": str(host.pk),
            "host_table_1": "2",
        },
    )
    plan = GroupPlan.objects.get()
    assert plan.tables == 3
    assert plan.hosts == {str(host.pk): 2}
    assert set(
        GroupSeat.objects.filter(booking=host).values_list("table", flat=True)
    ) == {2}
    page = client.get(PAGE).content.decode()
    assert "Hosts at their table in every round" in page


def form_fields(page: str) -> dict[str, str]:
    """What the page's form of the groups sends as the page shows it: its
    inputs' values (radio buttons: the checked one) and its selects' chosen
    options."""
    (form,) = [f for f in page.split("<form")[1:] if 'name="host_1"' in f]
    form = form.split("</form>")[0]
    fields = {}
    for tag in re.findall(r"<input ([^>]*)>", form):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        checkable = attributes.get("type") in ("radio", "checkbox")
        if "name" in attributes and (
            not checkable or re.search(r"\schecked\b", " " + tag)
        ):
            fields[attributes["name"]] = attributes.get("value", "")
    for name, options in re.findall(
        r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.DOTALL
    ):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


@pytest.mark.parametrize("by", ["delegate", "organiser"])
def test_a_host_who_cancelled_hosts_no_longer(world, by):
    """The Groups page forgets a host whose booking was cancelled: no table
    left in the form for nobody, no figure for hosts; forming the groups
    again from the page as it shows works and seats them nowhere."""
    host, other_host = world["bookings"][4], world["bookings"][7]
    client = signed_in(world, "organiser")
    client.post(
        PAGE,
        {
            **FORM,
            "host_1": str(host.pk),
            "host_table_1": "2",
            "host_2": str(other_host.pk),
            "host_table_2": "3",
        },
    )
    actor = (
        Actor.delegate()
        if by == "delegate"
        else Actor.organiser(world["users"]["organiser"])
    )
    booking_cancel(booking=host, actor=actor)

    page = client.get(PAGE).content.decode()
    fields = form_fields(page)
    assert (fields["host_1"], fields["host_table_1"]) == (str(other_host.pk), "3")
    assert not any(fields.get(f"host_table_{row}") for row in range(2, 10)), (
        "a table for a host no longer booked"
    )

    booking_cancel(
        booking=other_host, actor=Actor.organiser(world["users"]["organiser"])
    )
    page = client.get(PAGE).content.decode()
    assert "Hosts at their table in every round" not in page
    fields = form_fields(page)
    assert not any(fields.get(f"host_table_{row}") for row in range(1, 10))

    response = client.post(PAGE, {**fields, "another": "1"})
    assert response.status_code == 302
    plan = GroupPlan.objects.get()
    assert plan.hosts == {}
    assert not GroupSeat.objects.filter(booking__in=[host, other_host]).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tables": "7"}, "Too few people for these tables"),
        ({"tables": "", "group_size": ""}, "either the number of tables"),
        ({"rounds": "0"}, "Please correct the marked fields."),
        ({"kind": "teams"}, "Teams are formed for one round"),
        ({"host_1": "1"}, "Please correct the marked fields."),
        ({"host_table_1": "2"}, "Choose who hosts this table."),
    ],
)
def test_bad_input_is_told_and_changes_nothing(world, change, message):
    client = signed_in(world, "organiser")
    response = client.post(PAGE, {**FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GroupPlan.objects.exists()
    assert not GroupSeat.objects.exists()


def test_a_form_from_an_older_page_changes_nothing(world):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    response = client.post(PAGE, {**FORM, "tables": "4"})  # version 0: stale
    assert "Someone else changed this meanwhile" in response.content.decode()
    assert GroupPlan.objects.get().tables == 3
    response = client.post(PAGE + "publish/", {"version": "0"}, follow=True)
    assert "Someone else changed this meanwhile" in response.content.decode()
    assert GroupPlan.objects.get().published_at is None


def test_topics_are_saved_and_give_the_tables(world):
    client = signed_in(world, "organiser")
    client.post(
        PAGE,
        {
            **FORM,
            "save_topics": "1",
            "topics_en": "Jobs\nSkills\nCare\n",
            "topics_fr": "Emplois\nCompétences\n",
        },
    )
    plan = GroupPlan.objects.get()
    assert plan.topics == [
        {"en": "Jobs", "fr": "Emplois"},
        {"en": "Skills", "fr": "Compétences"},
        {"en": "Care"},
    ]
    assert not GroupSeat.objects.exists()
    client.post(
        PAGE,
        {
            **FORM,
            "version": str(plan.version),
            "kind": "topics",
            "tables": "",
            "rounds": "1",
            "topics_en": "Jobs\nSkills\nCare",
            "topics_fr": "Emplois\nCompétences",
        },
    )
    plan.refresh_from_db()
    assert (plan.kind, plan.tables) == ("topics", 3)
    page = client.get("/fr" + PAGE[3:]).content.decode()
    assert "<bdi>Compétences</bdi>" in page
    assert "<bdi>Care</bdi>" in page


def test_moving_a_person_updates_the_figures(world):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    plan = GroupPlan.objects.get()
    mover = world["bookings"][0]
    seat = GroupSeat.objects.get(booking=mover, round=1)
    target = seat.table % 3 + 1
    response = client.post(
        PAGE + "move/",
        {
            "move-person": str(mover.pk),
            "move-round": "1",
            "move-table": str(target),
            "move-version": "1",
        },
        follow=True,
    )
    assert (
        f"<bdi>Person 00</bdi> now sits at table {target} in round 1."
        in response.content.decode()
    )
    seat.refresh_from_db()
    assert seat.table == target
    plan.refresh_from_db()
    assert plan.version == 2
    assert plan.figures["sizes_within_one"] is False
    # A table that does not exist: told, nothing moves.
    response = client.post(
        PAGE + "move/",
        {
            "move-person": str(mover.pk),
            "move-round": "1",
            "move-table": "9",
            "move-version": "2",
        },
        follow=True,
    )
    assert "There is no table 9." in response.content.decode()
    seat.refresh_from_db()
    assert seat.table == target


def test_late_arrivals_are_seated_from_the_page(world):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    session = world["session"]
    late = booking_create(
        participant=ParticipantFactory(event=session.event, name="Latecomer"),
        session=session,
        actor=Actor.delegate(),
    )
    page = client.get(PAGE).content.decode()
    assert "1 person to place has no seat yet" in page
    response = client.post(PAGE + "late/", {"version": "1"}, follow=True)
    assert "1 late arrival is seated; nobody else moved." in response.content.decode()
    assert GroupSeat.objects.filter(booking=late).count() == 3
    response = client.post(PAGE + "late/", {"version": "2"}, follow=True)
    assert "Everyone to place already has a seat." in response.content.decode()


def test_publishing_and_unpublishing(world):
    client = signed_in(world, "organiser")
    response = client.post(PAGE + "publish/", {"version": "0"})
    assert response.status_code == 404  # nothing to publish yet
    client.post(PAGE, FORM)
    response = client.post(PAGE + "publish/", {"version": "1"}, follow=True)
    assert "The arrangement is published" in response.content.decode()
    assert GroupPlan.objects.get().published_at is not None
    page = client.get(PAGE).content.decode()
    assert "Unpublish" in page
    # Forming again is refused while published.
    response = client.post(PAGE, {**FORM, "version": "2", "tables": "4"})
    assert "unpublish it before forming the groups again" in response.content.decode()
    response = client.post(
        PAGE + "publish/", {"version": "2", "unpublish": "1"}, follow=True
    )
    assert "a draft again" in response.content.decode()
    assert GroupPlan.objects.get().published_at is None


def test_a_missing_version_is_refused(world):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    response = client.post(PAGE + "publish/", {}, follow=True)
    assert "Some of what was sent is not valid." in response.content.decode()
    assert GroupPlan.objects.get().published_at is None


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_page_speaks_every_language(world, language):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    response = client.get(f"/{language}" + PAGE[3:])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pairs who sit together" not in page
    if language == "ar":
        assert 'dir="rtl"' in page


def test_forming_again_without_a_version_is_refused(world):
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    seats = sorted(GroupSeat.objects.values_list("booking_id", "round", "table"))
    without_version = {key: value for key, value in FORM.items() if key != "version"}

    response = client.post(PAGE, {**without_version, "tables": "4"})

    assert response.status_code == 400
    plan = GroupPlan.objects.get()
    assert (plan.tables, plan.version) == (3, 1)
    assert sorted(GroupSeat.objects.values_list("booking_id", "round", "table")) == (
        seats
    )


def test_more_topics_than_the_most_tables_are_refused(world):
    client = signed_in(world, "organiser")
    topics = "\n".join(f"Topic {n}" for n in range(1, 40_002))

    response = client.post(
        PAGE, {**FORM, "kind": "topics", "topics_en": topics, "save_topics": "1"}
    )

    assert response.status_code == 400
    assert "Give at most 500 topics, one per table." in response.content.decode()
    assert not GroupPlan.objects.exists()


def test_with_too_few_left_for_a_random_arrangement_the_page_shows_none(world):
    """Cancellations leave 5 people for 3 tables: the page still shows this
    arrangement's figures, and a dash, not "no", where a random one would be."""
    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    for booking in world["bookings"][:7]:
        booking_cancel(booking=booking, actor=Actor.delegate())
    page = client.get(PAGE).content.decode()
    row = page.split("Table sizes within one of each other</th>")[1].split("</tr>")[0]
    assert '<td data-label="A random arrangement">—</td>' in row


def test_the_balance_figure_names_every_attribute_it_counts(world):
    """Seats out of balance count constituency, region, language and gender
    (planner.BALANCED): the page's label names all four."""
    from majlis.groups.planner import BALANCED

    client = signed_in(world, "organiser")
    client.post(PAGE, FORM)
    page = client.get(PAGE).content.decode()
    [label] = re.findall(r'<th scope="row">(Seats out of balance[^<]*)</th>', page)
    assert BALANCED == ("constituency", "region", "language", "gender")
    assert "constituency, region, language and gender" in label
