"""Rosters with filters and exports read back; check-in at the door."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from openpyxl import load_workbook

from majlis.backoffice.models import StaffRole
from majlis.backoffice.tests.door_page import read_door
from majlis.bookings.models import AccessNeed, Booking
from majlis.bookings.services import Actor, booking_check_in, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def session(event):
    return SessionFactory(event=event, code="talk", capacity=2)


@pytest.fixture
def people(event, session):
    amina = ParticipantFactory(
        event=event,
        name="Amina Benali",
        organisation="Ministry",
        constituency="government",
    )
    youssef = ParticipantFactory(
        event=event,
        name="يوسف العلوي",
        organisation="جمعية",
        constituency="civil_society",
    )
    claire = ParticipantFactory(
        event=event, name="Claire Dubois", organisation="Union", constituency="workers"
    )
    booking_create(
        participant=amina,
        session=session,
        actor=Actor.delegate(),
        access_needs=["wheelchair"],
    )
    booking_create(participant=youssef, session=session, actor=Actor.delegate())
    booking_create(participant=claire, session=session, actor=Actor.delegate())  # waits
    return {"amina": amina, "youssef": youssef, "claire": claire}


@pytest.fixture
def organiser(client, event, session):
    user = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=user, event=event, role="organiser")
    role.sessions.add(session)
    client.force_login(user)
    return user


def test_the_roster_filters_and_sorts(client, organiser, people):
    base = "/en/backoffice/casa/s/talk/roster/"
    page = client.get(base).content.decode()
    assert all(
        name in page for name in ("Amina Benali", "يوسف العلوي", "Claire Dubois")
    )
    waiting = client.get(base + "?status=waitlisted").content.decode()
    assert "Claire Dubois" in waiting and "Amina Benali" not in waiting
    searched = client.get(base + "?q=ministry").content.decode()
    assert "Amina Benali" in searched and "Claire Dubois" not in searched
    by_group = client.get(base + "?constituency=civil_society").content.decode()
    assert "يوسف العلوي" in by_group and "Amina Benali" not in by_group
    by_name = client.get(base + "?sort=name").content.decode()
    assert by_name.index("Amina Benali") < by_name.index("Claire Dubois")


def test_the_csv_export_reads_back_with_arabic_names(client, organiser, people):
    response = client.get("/en/backoffice/casa/s/talk/roster.csv")
    assert response["Content-Type"] == "text/csv"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that spreadsheet programs read UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Status", "Position", "Name"]
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == {"Amina Benali", "يوسف العلوي", "Claire Dubois"}
    assert by_name["Claire Dubois"][:2] == ["On the waiting list", "1"]
    assert by_name["Amina Benali"][9] == "Wheelchair access"
    assert by_name["Amina Benali"][7] == people["amina"].checkin_code


def test_the_xlsx_export_reads_back_and_keeps_the_filters(client, organiser, people):
    response = client.get("/en/backoffice/casa/s/talk/roster.xlsx?status=confirmed")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][2] == "Name"
    assert sorted(row[2] for row in rows[1:]) == sorted(["Amina Benali", "يوسف العلوي"])


def test_the_xlsx_export_gives_numbers_and_times_as_such(
    client, organiser, people, event, session
):
    """A waiting position is a number and a check-in a date and time, which a
    spreadsheet sorts and filters as such: text, "10" came before "2"."""
    booking_check_in(session=session, participant=people["amina"], actor=Actor.system())
    response = client.get("/en/backoffice/casa/s/talk/roster.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    by_name = {row[2].value: row for row in sheet.iter_rows(min_row=2)}

    position = by_name["Claire Dubois"][1]
    assert position.value == 1 and position.data_type == "n"
    checked_in = by_name["Amina Benali"][8]
    assert checked_in.is_date
    local = timezone.localtime(
        Booking.objects.get(participant=people["amina"]).checked_in_at, event.zone
    )
    assert checked_in.value == local.replace(tzinfo=None, second=0, microsecond=0)
    assert by_name["Amina Benali"][1].value is None
    assert by_name["يوسف العلوي"][8].value is None


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_access_needs_are_named_in_the_language_of_the_roster_and_its_files(
    client, organiser, people, language
):
    with translation.override(language):
        wheelchair = str(AccessNeed.WHEELCHAIR.label)
    if language != "en":
        assert wheelchair != "Wheelchair access"  # translated
    base = f"/{language}/backoffice/casa/s/talk/roster"
    page = client.get(base + "/").content.decode()
    assert wheelchair in page
    assert ">wheelchair" not in page
    text = client.get(base + ".csv").content.decode("utf-8")
    assert wheelchair in text and ",wheelchair" not in text
    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").content)).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row}
    assert wheelchair in cells and "wheelchair" not in cells


def test_an_unknown_export_format_is_not_found(client, organiser, people):
    assert client.get("/en/backoffice/casa/s/talk/roster.docx").status_code == 404


def test_check_in_by_code_then_again_then_a_waiting_and_an_unbooked_delegate(
    client, organiser, people, event
):
    url = "/en/backoffice/casa/s/talk/check-in/"
    code = people["amina"].checkin_code
    first = read_door(client.post(url, {"q": code.lower()}).content)
    assert first.result == (
        "Seated Amina Benali is checked in. Access needs: Wheelchair access"
    )
    assert "1 of 2 confirmed delegates checked in. 0 seats free." in first.text
    again = read_door(client.post(url, {"q": code}).content)
    assert again.result.startswith(
        "Already checked in Amina Benali was already checked in at "
    )
    waiting = read_door(client.post(url, {"q": people["claire"].checkin_code}).content)
    assert waiting.result == (
        "Waiting list Claire Dubois is on the waiting list (position 1), not confirmed."
    )
    outsider = ParticipantFactory(event=event, name="Omar Haddad")
    unbooked = read_door(client.post(url, {"q": outsider.checkin_code}).content)
    assert unbooked.result.startswith(
        "Not booked here Omar Haddad has not booked this session."
    )
    unknown = read_door(client.post(url, {"q": "ZZZZ9999"}).content)
    assert unknown.result.startswith("Not found Nobody booked in this session")
    assert "“ZZZZ9999”" in unknown.result
    booking = Booking.objects.get(participant=people["amina"])
    assert booking.checked_in_by == organiser
    assert booking.changes.last().action == "checked_in"


def test_check_in_by_name_offers_the_matches_then_checks_one_in(
    client, organiser, people
):
    url = "/en/backoffice/casa/s/talk/check-in/"
    found = read_door(client.post(url, {"q": "يوسف"}).content)
    assert found.result == "1 delegate matches “يوسف”: choose below."
    assert "Check in يوسف العلوي" in found.match("يوسف العلوي")
    done = read_door(client.post(url, {"participant": people["youssef"].pk}).content)
    assert done.result == "Seated يوسف العلوي is checked in."
    nothing = read_door(client.post(url, {"q": "nobody at all"}).content)
    assert "Nobody booked in this session matches" in nothing.result


def test_two_doors_checking_in_the_same_delegate_record_it_once(people, session):
    first = booking_check_in(
        session=session, participant=people["amina"], actor=Actor.system()
    )
    second = booking_check_in(
        session=session, participant=people["amina"], actor=Actor.system()
    )
    assert (first.outcome, second.outcome) == ("checked_in", "already_checked_in")
    booking = Booking.objects.get(participant=people["amina"])
    assert booking.changes.filter(action="checked_in").count() == 1


def test_an_organiser_moves_a_booking_to_another_of_their_sessions(
    client, organiser, people, event
):
    from majlis.bookings.models import Booking as B
    from majlis.testing.factories import afternoon

    other = SessionFactory(
        event=event,
        code="other",
        title_en="Other session",
        starts_at=afternoon(days_from_now=33),
        ends_at=afternoon(33, 18),
    )
    StaffRole.objects.get(user=organiser).sessions.add(other)
    amina = B.objects.get(participant=people["amina"], status="confirmed")

    response = client.post(
        f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/move/",
        {"to_session": other.pk, "confirm": "1"},
        follow=True,
    )

    assert (
        "<bdi>Amina Benali</bdi> now has a seat in <bdi>Other session</bdi>."
        in response.content.decode()
    )
    amina.refresh_from_db()
    assert amina.status == "cancelled"
    moved = B.objects.get(participant=people["amina"], session=other)
    assert moved.status == "confirmed" and moved.access_needs == ["wheelchair"]
    assert moved.changes.first().actor_user == organiser
    # Claire, who waited in "talk", got the freed seat.
    assert B.objects.get(participant=people["claire"]).status == "confirmed"


def test_a_move_into_a_session_the_organiser_does_not_run_is_not_found(
    client, organiser, people, event
):
    from majlis.bookings.models import Booking as B

    elsewhere = SessionFactory(event=event, code="elsewhere")
    amina = B.objects.get(participant=people["amina"], status="confirmed")
    response = client.post(
        f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/move/",
        {"to_session": elsewhere.pk},
    )
    assert response.status_code == 404
    amina.refresh_from_db()
    assert amina.status == "confirmed"
