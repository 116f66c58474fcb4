"""The import page says which columns and codes a file of delegates takes,
offers a template to start from (CSV and Excel), and may welcome each new
delegate by email with a sign-in link of their own."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from majlis.accounts.models import Participant
from majlis.accounts.services import IMPORT_COLUMNS
from majlis.backoffice.tests.test_delegates import HEADER, confirmation, sign_in
from majlis.outbox.models import OutboxMessage
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db
IMPORT = "/en/backoffice/casa/delegates/import/"


@pytest.fixture
def event():
    return EventFactory(slug="casa", name_en="Casablanca Forum")


def upload(client: Client, lines: list[str], language: str = "en") -> str:
    text = "\n".join([",".join(HEADER), *lines]) + "\n"
    return client.post(
        IMPORT.replace("/en/", f"/{language}/"),
        {"file": SimpleUploadedFile("delegates.csv", text.encode())},
    ).content.decode()


def test_the_page_lists_every_column_and_every_code(client, event):
    sign_in(client, event, "secretariat")
    page = client.get(IMPORT).content.decode()
    for code in (
        "government",
        "civil_society",
        "youth",
        "en",
        "fr",
        "es",
        "ar",
        "female",
        "male",
        "another",
    ):
        assert f"<code>{code}</code>" in page
    assert "Academia and research" in page
    assert "two letters, such as MA for Morocco" in page
    arabic = client.get(IMPORT.replace("/en/", "/ar/")).content.decode()
    assert "<code>civil_society</code>" in arabic and "Civil society" not in arabic


def test_a_bad_row_names_the_codes_accepted_in_the_readers_language(client, event):
    sign_in(client, event, "secretariat")
    page = upload(client, ["a@example.org,Amina,,gov,MA,en"], language="es")
    assert "government, employers, workers" in page
    assert "no es un código de sector" in page
    assert not Participant.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_template_holds_the_header_and_an_example_row_that_imports(
    client, event, kind
):
    sign_in(client, event, "secretariat")
    response = client.get(f"/en/backoffice/casa/delegates/import/template.{kind}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="casa-delegates.{kind}"'
    )
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(IMPORT_COLUMNS)
    assert rows[1][3:] == ["government", "MA", "ar", "female"]
    # The template as downloaded is a file the import takes.
    preview = client.post(
        IMPORT,
        {"file": SimpleUploadedFile(f"template.{kind}", response.content)},
    ).content.decode()
    assert "The file is correct: 1 delegate to import." in preview


def test_templates_are_for_the_secretariat_only(client, event):
    sign_in(client, event, "organiser")
    assert client.get(IMPORT + "template.csv").status_code == 403
    assert Client().get(IMPORT + "template.csv").status_code == 302
    sign_in(client, event, "secretariat")
    assert client.get(IMPORT + "template.pdf").status_code == 404


def test_a_welcome_reaches_each_new_delegate_in_their_language_and_signs_them_in(
    client, event
):
    sign_in(client, event, "secretariat")
    ParticipantFactory(event=event, email="known@example.org")
    preview = upload(
        client,
        [
            "known@example.org,Known,,government,MA,en",
            "amina@example.org,Amina Benali,,government,MA,ar",
            "lucia@example.org,Lucía,,youth,AR,es",
        ],
    )
    assert 'name="welcome"' in preview
    done = client.post(
        IMPORT, {**confirmation(preview), "welcome": "1"}, follow=True
    ).content.decode()
    assert "3 delegates imported." in done
    assert (
        "A welcome email with a sign-in link is on its way to 2 new delegates." in done
    )
    assert outbox_send_due().sent == 2
    by_address = {email.to[0]: email for email in mail.outbox}
    assert set(by_address) == {"amina@example.org", "lucia@example.org"}
    spanish = by_address["lucia@example.org"]
    assert "Casablanca Forum" in spanish.subject and "Bienvenida" in spanish.subject
    assert "7 días" in spanish.body
    link = re.search(
        re.escape(settings.BASE_URL) + r"(/es/e/casa/sign-in/[^/\s]+/)", spanish.body
    )
    assert link, spanish.body
    # The token leaves the outbox once sent; the link signs its delegate in once.
    assert all("token" not in m.payload for m in OutboxMessage.objects.all())
    delegate = Client()
    assert delegate.post(link.group(1)).status_code == 302
    assert "Lucía" in delegate.get("/es/e/casa/me/").content.decode()
    assert Client().post(link.group(1)).status_code == 400


def test_an_import_without_the_box_ticked_sends_no_welcome(client, event):
    sign_in(client, event, "secretariat")
    preview = upload(client, ["amina@example.org,Amina,,government,MA,ar"])
    done = client.post(IMPORT, confirmation(preview), follow=True).content.decode()
    assert "1 delegate imported." in done and "welcome" not in done.lower()
    assert not OutboxMessage.objects.filter(kind="welcome").exists()
