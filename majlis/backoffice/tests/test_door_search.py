"""At a session's door, staff find the people booked there; anyone else only
by their exact check-in code or whole name, and then by name alone. The same
for door staff, an organiser and the secretariat."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from majlis.backoffice.models import StaffRole
from majlis.backoffice.selectors import _name_key
from majlis.backoffice.tests.door_page import DoorPage, read_door
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.clock import made_earlier
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
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
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


def search(client: Client, query: str) -> DoorPage:
    return read_door(client.get(DOOR, {"q": query}).content)


def test_an_address_search_lists_only_the_people_booked_here(staff):
    page = search(staff, "@example.org")
    assert len(page.matches) == 3
    for name in ("Amina Benali", "Claire Dubois"):
        assert "Confirmed, not checked in yet" in page.match(name)
        assert f"Check in {name}" in page.match(name)
    waiting = page.match("Lina Haddad")
    assert "On the waiting list (position 1)" in waiting
    assert "Check in" not in waiting
    for other in ("Omar Haddad", "José García", "يُوسُف", *NOT_HERE):
        assert other not in page.text
    page = search(staff, "haddad")  # part of a name: Lina, booked here
    assert len(page.matches) == 1 and "Lina Haddad" in page.matches[0]
    assert "Omar" not in page.text


def test_a_whole_name_finds_a_walk_in_by_name_only(staff):
    for query in ("Omar Haddad", "  omar   HADDAD ", "OMAR haddad"):
        page = search(staff, query)
        (omar,) = page.matches
        assert "Omar Haddad" in omar and "Not booked in this session" in omar
        assert "Check in" not in omar  # not booked: nothing to check in
        assert "No seat is free for a walk-in." in omar  # both seats are taken
        assert "Ministry of Secrets" not in page.text
        assert "omar.haddad@" not in page.text
    assert "José García" in search(staff, "jose garcia").match("José García")
    assert "يُوسُف العلوي" in search(staff, "يوسف العلوي").match("يُوسُف العلوي")
    for partial in ("Omar", "Omar Hadda", "omar.haddad@example.org", "Secrets"):
        page = search(staff, partial)
        assert "Omar Haddad" not in page.text and "Ministry of Secrets" not in page.text


def test_accents_and_arabic_letter_variants_do_not_hide_anyone(staff, people):
    event, talk = people["event"], people["talk"]
    helene = ParticipantFactory(event=event, name="Hélène Faure")
    idrissi = ParticipantFactory(event=event, name="سلمى الإدريسي")
    for person in (helene, idrissi):  # both wait: the two seats are taken
        booking_create(participant=person, session=talk, actor=Actor.delegate())
    ParticipantFactory(event=event, name="Noémie Lefèvre")  # booked nowhere

    assert "Hélène Faure" in search(staff, "helene").match("Hélène Faure")
    assert "Hélène Faure" in search(staff, "HELENE faure").match("Hélène Faure")
    assert "سلمى الإدريسي" in search(staff, "الادريسي").match("سلمى الإدريسي")
    assert "سلمى الإدريسي" in search(staff, "سلمي الادريسي").match("سلمى الإدريسي")
    assert "Noémie Lefèvre" in search(staff, "noemie lefevre").match("Noémie")
    assert search(staff, "noemie").matches == []  # not booked here: whole names only


def test_each_match_shows_where_the_delegate_stands(staff, people):
    staff.post(DOOR, {"q": people["amina"].checkin_code})
    page = search(staff, "@example.org")
    amina = page.match("Amina Benali")
    assert "Checked in at" in amina and "Check in" not in amina
    assert "Confirmed, not checked in yet" in page.match("Claire Dubois")
    assert "On the waiting list (position 1)" in page.match("Lina Haddad")


def test_arabic_letter_variants_compare_as_one_letter():
    assert _name_key("أحمد") == _name_key("احمد") == _name_key("إحمد")
    assert _name_key("فاطمة") == _name_key("فاطمه")
    assert _name_key("مصطفى") == _name_key("مصطفي")
    assert _name_key("عبد الرحمـٰن") == _name_key("عبد الرحمن")
    assert _name_key("Hélène  ÇA") == _name_key("helene ca")
    assert _name_key("فاطمة") != _name_key("فاطمت")


def test_a_check_in_code_names_a_delegate_booked_elsewhere(staff, people):
    page = read_door(staff.post(DOOR, {"q": people["omar"].checkin_code}).content)
    assert "Not booked here Omar Haddad has not booked this session." in page.result
    assert not [email for email in NOT_HERE if email in page.text]


def test_a_chosen_number_acts_only_on_someone_the_door_may_find(staff, people):
    omar = people["omar"]
    guessed = read_door(staff.post(DOOR, {"participant": omar.pk, "q": "a"}).content)
    assert "Omar Haddad" not in guessed.text
    seated = staff.post(DOOR, {"action": "walk_in", "participant": omar.pk, "q": ""})
    assert seated.status_code == 404
    assert not Booking.objects.filter(participant=omar, session=people["talk"]).exists()
    named = staff.post(DOOR, {"participant": omar.pk, "q": "omar haddad"})
    assert "Omar Haddad has not booked this session." in read_door(named.content).result
    booked = staff.post(DOOR, {"participant": people["amina"].pk, "q": ""})
    assert "Amina Benali is checked in." in read_door(booked.content).result


def test_a_walk_in_found_by_name_is_seated_once_seats_are_released(staff, people):
    staff.post(DOOR, {"action": "release", "confirm": "1"})  # Claire, Amina absent
    page = search(staff, "José García")
    assert "Give José García a free seat and check in" in page.match("José García")
    done = staff.post(
        DOOR,
        {"action": "walk_in", "participant": people["jose"].pk, "q": "José García"},
    )
    assert (
        "Seated José García has a seat and is checked in."
        in read_door(done.content).result
    )
    booking = Booking.objects.get(participant=people["jose"], session=people["talk"])
    assert booking.status == "confirmed" and booking.checked_in_at is not None
