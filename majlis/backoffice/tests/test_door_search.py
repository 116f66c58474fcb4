"""At a session's door, staff find the people booked there; anyone else only
by their exact check-in code or whole name, and then by name alone. The same
for door staff, an organiser and the secretariat."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
DOOR = "/en/backoffice/casa/s/talk/check-in/"


@pytest.fixture
def people():
    event = EventFactory(slug="casa", is_demo=True)
    now = timezone.now()
    talk = SessionFactory(
        event=event,
        code="talk",
        capacity=2,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=60),
    )
    other = SessionFactory(event=event, code="other")
    amina = ParticipantFactory(
        event=event, name="Amina Benali", email="amina@example.org"
    )
    claire = ParticipantFactory(
        event=event, name="Claire Dubois", email="claire@example.org"
    )
    lina = ParticipantFactory(event=event, name="Lina Haddad", email="lina@example.org")
    omar = ParticipantFactory(
        event=event,
        name="Omar Haddad",
        email="omar.haddad@example.org",
        organisation="Ministry of Secrets",
    )
    jose = ParticipantFactory(event=event, name="José García", email="jose@example.org")
    youssef = ParticipantFactory(
        event=event, name="يُوسُف العلوي", email="youssef@example.org"
    )
    for person in (amina, claire, lina):  # Lina waits
        booking_create(participant=person, session=talk, actor=Actor.delegate())
    booking_create(participant=omar, session=other, actor=Actor.delegate())
    return {
        "event": event,
        "talk": talk,
        "other": other,
        "amina": amina,
        "claire": claire,
        "lina": lina,
        "omar": omar,
        "jose": jose,
        "youssef": youssef,
    }


@pytest.fixture(params=["door", "organiser", "secretariat"])
def staff(request, people) -> Client:
    client = Client()
    user = User.objects.create_user(request.param, "staff@example.org", "pw-123-long")
    role = StaffRole.objects.create(
        user=user, event=people["event"], role=request.param
    )
    role.sessions.add(people["talk"], people["other"])
    client.force_login(user)
    return client


NOT_HERE = ("omar.haddad@example.org", "jose@example.org", "youssef@example.org")


def search(client: Client, query: str) -> str:
    return client.get(DOOR, {"q": query}).content.decode()


def test_an_address_search_lists_only_the_people_booked_here(staff):
    page = search(staff, "@example.org")
    for name in ("Amina Benali", "Claire Dubois", "Lina Haddad"):
        assert f"Check in {name}" in page
    for other in ("Omar Haddad", "José García", "يُوسُف", *NOT_HERE):
        assert other not in page
    page = search(staff, "haddad")  # part of a name: Lina, booked here
    assert "Check in Lina Haddad" in page and "Omar" not in page


def test_a_whole_name_finds_a_walk_in_by_name_only(staff):
    for query in ("Omar Haddad", "  omar   HADDAD ", "OMAR haddad"):
        page = search(staff, query)
        assert "Check in Omar Haddad" in page
        assert "not booked in this session" in page
        assert "Ministry of Secrets" not in page and "omar.haddad@" not in page
    assert "Check in José García" in search(staff, "jose garcia")
    assert "Check in يُوسُف العلوي" in search(staff, "يوسف العلوي")
    for partial in ("Omar", "Omar Hadda", "omar.haddad@example.org", "Secrets"):
        page = search(staff, partial)
        assert "Omar Haddad" not in page and "Ministry of Secrets" not in page


def test_a_check_in_code_names_a_delegate_booked_elsewhere(staff, people):
    page = staff.post(DOOR, {"q": people["omar"].checkin_code}).content.decode()
    assert "Omar Haddad has not booked this session." in page
    assert not [email for email in NOT_HERE if email in page]


def test_a_chosen_number_acts_only_on_someone_the_door_may_find(staff, people):
    omar = people["omar"]
    guessed = staff.post(DOOR, {"participant": omar.pk, "q": "a"}).content.decode()
    assert "Omar Haddad" not in guessed
    seated = staff.post(DOOR, {"action": "walk_in", "participant": omar.pk, "q": ""})
    assert seated.status_code == 404
    assert not Booking.objects.filter(participant=omar, session=people["talk"]).exists()
    named = staff.post(DOOR, {"participant": omar.pk, "q": "omar haddad"})
    assert "Omar Haddad has not booked this session." in named.content.decode()
    booked = staff.post(DOOR, {"participant": people["amina"].pk, "q": ""})
    assert "Amina Benali is checked in." in booked.content.decode()


def test_a_walk_in_found_by_name_is_seated_once_seats_are_released(staff, people):
    staff.post(DOOR, {"action": "release"})  # Claire and Amina never came
    page = staff.post(
        DOOR, {"participant": people["jose"].pk, "q": "José García"}
    ).content.decode()
    assert "Give José García a free seat and check in" in page
    staff.post(
        DOOR,
        {"action": "walk_in", "participant": people["jose"].pk, "q": "José García"},
    )
    booking = Booking.objects.get(participant=people["jose"], session=people["talk"])
    assert booking.status == "confirmed" and booking.checked_in_at is not None
