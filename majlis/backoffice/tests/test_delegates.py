"""The secretariat imports delegates from CSV or XLSX with a preview (nothing
is imported while a row is wrong), finds them, and reads their history."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from majlis.accounts.models import Participant
from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
IMPORT = "/en/backoffice/casa/delegates/import/"
HEADER = ["email", "name", "organisation", "constituency", "country", "language"]


@pytest.fixture
def event():
    return EventFactory(slug="casa")


def sign_in(client, event, role: str):
    user = User.objects.create_user(role, f"{role}@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role=role)
    client.force_login(user)
    return user


def confirmation(preview_page: str) -> dict[str, str]:
    """The confirming form's fields, as the preview page holds them."""
    token = re.search(r'name="preview" value="([^"]+)"', preview_page)
    assert token, "the preview offers no confirmation"
    return {"confirm": "1", "preview": token.group(1)}


def csv_file(rows: list[list[str]]) -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"
    return SimpleUploadedFile("delegates.csv", text.encode("utf-8"), "text/csv")


def xlsx_file(rows: list[list[str]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("delegates.xlsx", buffer.getvalue())


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_clean_file_is_previewed_then_imported(client, event, make_file):
    sign_in(client, event, "secretariat")
    upload = make_file(
        [
            ["amina@example.org", "Amina Benali", "Ministry", "government", "MA", "ar"],
            ["lucia@example.org", "Lucía Fernández", "Red", "youth", "AR", "es"],
        ]
    )
    preview = client.post(IMPORT, {"file": upload}).content.decode()
    assert "The file is correct: 2 delegates to import." in preview
    assert "Lucía Fernández" in preview
    assert not Participant.objects.exists()  # a preview writes nothing

    done = client.post(IMPORT, confirmation(preview), follow=True).content.decode()
    assert "2 delegates imported." in done
    assert Participant.objects.get(email="lucia@example.org").language == "es"


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_every_bad_row_is_listed_and_nothing_is_imported(client, event, make_file):
    sign_in(client, event, "secretariat")
    upload = make_file(
        [
            ["good@example.org", "Good", "", "government", "MA", "en"],
            ["not-an-email", "Bad", "", "government", "MA", "en"],
            ["x@example.org", "Bad country", "", "government", "XX", "en"],
        ]
    )
    page = client.post(IMPORT, {"file": upload}).content.decode()
    assert "Nothing was imported" in page
    assert "line 3:" in page and "line 4:" in page and "line 2:" not in page
    assert client.post(IMPORT, {"confirm": "1"}, follow=True).status_code == 200
    assert not Participant.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(client, event):
    sign_in(client, event, "secretariat")
    junk = SimpleUploadedFile("delegates.xlsx", b"this is not a workbook")
    page = client.post(IMPORT, {"file": junk}).content.decode()
    assert "line 1: the file cannot be read" in page
    assert not Participant.objects.exists()


def test_only_the_secretariat_imports_and_lists_delegates(client, event):
    sign_in(client, event, "organiser")
    assert client.get(IMPORT).status_code == 403
    assert client.get("/en/backoffice/casa/delegates/").status_code == 403


def test_a_delegates_page_shows_their_bookings_and_who_changed_them(client, event):
    secretariat = sign_in(client, event, "secretariat")
    session = SessionFactory(event=event, title_en="Future of work")
    person = ParticipantFactory(event=event, name="Amina Benali")
    booking = booking_create(
        participant=person, session=session, actor=Actor.delegate()
    )
    booking_cancel(booking=booking, actor=Actor.organiser(secretariat))
    listing = client.get("/en/backoffice/casa/delegates/?q=amina").content.decode()
    assert "Amina Benali" in listing
    page = client.get(f"/en/backoffice/casa/delegates/{person.pk}/").content.decode()
    assert "Future of work" in page
    assert "booked a seat (the delegate)" in page
    assert "cancelled (an organiser)" in page and "secretariat" in page
    other_event = ParticipantFactory(event=EventFactory())
    assert (
        client.get(f"/en/backoffice/casa/delegates/{other_event.pk}/").status_code
        == 404
    )


def test_the_secretariat_edits_a_delegate_but_not_their_email(client, event):
    sign_in(client, event, "secretariat")
    person = ParticipantFactory(event=event, email="amina@example.org", name="Amina")
    url = f"/en/backoffice/casa/delegates/{person.pk}/"
    saved = client.post(
        url,
        {
            "name": "Amina Benali",
            "organisation": "Ministry of Labour",
            "constituency": "government",
            "country": "ma",
            "language": "ar",
            "email": "someone.else@example.org",
        },
        follow=True,
    )
    assert "The delegate is saved." in saved.content.decode()
    person.refresh_from_db()
    assert (person.name, str(person.country), person.language, person.email) == (
        "Amina Benali",
        "MA",
        "ar",
        "amina@example.org",
    )
    refused = client.post(url, {"name": "", "country": "XX", "language": "ar"})
    assert refused.status_code == 200
    person.refresh_from_db()
    assert person.name == "Amina Benali"
