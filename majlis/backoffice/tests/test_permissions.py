"""The permission matrix: every back-office address, for every role, including
what must answer 403 or 404. Another session's roster, export, check-in and
booking are not found for an organiser; door staff only check in."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    event = EventFactory(slug="casa")
    elsewhere = EventFactory(slug="other")
    mine = SessionFactory(event=event, code="mine")
    theirs = SessionFactory(
        event=event,
        code="theirs",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    foreign = SessionFactory(event=elsewhere, code="foreign")
    delegate = ParticipantFactory(event=event)
    booking_in_theirs = booking_create(
        participant=delegate, session=theirs, actor=Actor.delegate()
    )
    booking_in_mine = booking_create(
        participant=delegate, session=mine, actor=Actor.delegate()
    )
    users = {}
    for name in ("secretariat", "organiser", "door", "stranger", "other_secretariat"):
        users[name] = User.objects.create_user(
            name, f"{name}@example.org", "pw-123-long"
        )
    StaffRole.objects.create(user=users["secretariat"], event=event, role="secretariat")
    organiser = StaffRole.objects.create(
        user=users["organiser"], event=event, role="organiser"
    )
    organiser.sessions.add(mine)
    door = StaffRole.objects.create(user=users["door"], event=event, role="door")
    door.sessions.add(mine)
    foreign_role = StaffRole.objects.create(
        user=users["other_secretariat"], event=elsewhere, role="secretariat"
    )
    return {
        "organiser_role": organiser,
        "foreign_role": foreign_role,
        "users": users,
        "booking_in_mine": booking_in_mine,
        "booking_in_theirs": booking_in_theirs,
        "foreign": foreign,
    }


def get_as(user, path: str, method: str = "get", data: dict | None = None) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(path, data).status_code


MATRIX = {
    # path: {role: expected status}
    "/en/backoffice/casa/": {
        "secretariat": 200,
        "organiser": 200,
        "door": 200,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/roster/": {
        "secretariat": 200,
        "organiser": 200,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/theirs/roster/": {
        "secretariat": 200,
        "organiser": 404,
        "door": 404,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/roster.csv": {
        "secretariat": 200,
        "organiser": 200,
        "door": 403,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/theirs/roster.xlsx": {
        "secretariat": 200,
        "organiser": 404,
        "door": 404,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/check-in/": {
        "secretariat": 200,
        "organiser": 200,
        "door": 200,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/theirs/check-in/": {
        "secretariat": 200,
        "organiser": 404,
        "door": 404,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/messages/": {
        "secretariat": 200,
        "organiser": 200,
        "door": 403,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/theirs/messages/": {
        "secretariat": 200,
        "organiser": 404,
        "door": 404,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/roster.pdf": {
        "secretariat": 200,
        "organiser": 200,
        "door": 403,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/theirs/roster.cards.pdf": {
        "secretariat": 200,
        "organiser": 404,
        "door": 404,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/dashboard/": {
        "secretariat": 200,
        "organiser": 200,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/s/mine/edit/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/settings/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/settings/erase-personal-data/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/staff/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/delegates/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/delegates/import/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        None: 302,
    },
    "/en/backoffice/casa/delegates/{delegate}/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/other/delegates/{delegate}/": {
        "secretariat": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/casa/staff/{organiser_role}/": {
        "secretariat": 200,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    # Another event's role, through this event's address.
    "/en/backoffice/casa/staff/{foreign_role}/": {
        "secretariat": 404,
        "organiser": 403,
        "door": 403,
        "stranger": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/other/staff/{organiser_role}/": {
        "secretariat": 404,
        "organiser": 404,
        "other_secretariat": 404,
        None: 302,
    },
    "/en/backoffice/other/staff/{foreign_role}/": {
        "secretariat": 404,
        "other_secretariat": 200,
        None: 302,
    },
    "/en/backoffice/other/s/foreign/roster/": {
        "secretariat": 404,
        "organiser": 404,
        "door": 404,
        "other_secretariat": 200,
        None: 302,
    },
}


@pytest.mark.parametrize("path", MATRIX)
def test_who_may_open_what(world, path):
    address = path.format(
        delegate=world["booking_in_mine"].participant_id,
        organiser_role=world["organiser_role"].pk,
        foreign_role=world["foreign_role"].pk,
    )
    for role, expected in MATRIX[path].items():
        user = world["users"][role] if role else None
        assert get_as(user, address) == expected, f"{role} on {address}"


def cancel_path(session_code: str, booking) -> str:
    return f"/en/backoffice/casa/s/{session_code}/bookings/{booking.pk}/cancel/"


def test_only_those_who_run_a_session_cancel_its_bookings(world):
    users, mine = world["users"], world["booking_in_mine"]
    confirm = {"confirm": "1"}
    assert get_as(users["door"], cancel_path("mine", mine)) == 403
    assert get_as(users["door"], cancel_path("mine", mine), "post", confirm) == 403
    assert (
        get_as(
            users["organiser"],
            cancel_path("theirs", world["booking_in_theirs"]),
            "post",
            confirm,
        )
        == 404
    )
    # An id from another session, through the address of one's own session.
    assert (
        get_as(
            users["organiser"],
            cancel_path("mine", world["booking_in_theirs"]),
            "post",
            confirm,
        )
        == 404
    )
    world["booking_in_theirs"].refresh_from_db()
    assert world["booking_in_theirs"].status == "confirmed"
    assert get_as(users["organiser"], cancel_path("mine", mine), "post") == 200
    mine.refresh_from_db()
    assert mine.status == "confirmed"  # asked first
    assert get_as(users["organiser"], cancel_path("mine", mine), "post", confirm) == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    change = mine.changes.last()
    assert (change.actor_kind, change.actor_user) == ("organiser", users["organiser"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("organiser", 403),
        ("door", 403),
        ("stranger", 404),
        ("other_secretariat", 404),
        (None, 302),
        ("secretariat", 302),  # saved, back to the staff page
    ],
)
def test_only_the_secretariat_changes_a_role(world, role, expected):
    staff = world["organiser_role"]
    mine = world["booking_in_mine"].session
    theirs = world["booking_in_theirs"].session
    client = Client()
    if role:
        client.force_login(world["users"][role])
    response = client.post(
        f"/en/backoffice/casa/staff/{staff.pk}/",
        {"role": "door", "sessions": [theirs.pk]},
    )
    assert response.status_code == expected
    if role == "secretariat":
        assert response["Location"] == "/en/backoffice/casa/staff/"
    staff.refresh_from_db()
    changed = role == "secretariat"
    assert (staff.role, list(staff.sessions.all())) == (
        ("door", [theirs]) if changed else ("organiser", [mine])
    )


def test_delegate_pages_and_the_api_do_not_open_the_back_office(world, client):
    from majlis.site.signin import SESSION_KEY

    browser = client.session
    browser[SESSION_KEY] = world["booking_in_mine"].participant_id
    browser.save()
    assert client.get("/en/backoffice/casa/s/mine/roster/").status_code == 302
