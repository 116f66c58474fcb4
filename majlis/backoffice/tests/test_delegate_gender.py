"""The secretariat sets a delegate's optional gender on their page and in a
file of delegates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from majlis.accounts.models import Participant
from majlis.backoffice.tests.test_delegates import confirmation, sign_in
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db
IMPORT = "/en/backoffice/casa/delegates/import/"


@pytest.fixture
def event():
    return EventFactory(slug="casa")


def test_the_delegate_page_offers_and_saves_the_gender(client, event):
    sign_in(client, event, "secretariat")
    person = ParticipantFactory(event=event, email="amina@example.org")
    url = f"/en/backoffice/casa/delegates/{person.pk}/"
    page = client.get(url).content.decode()
    assert "Gender (optional, used only to mix groups)" in page
    assert '<option value="another">Another gender</option>' in page
    fields = {"name": "Amina", "constituency": "government", "language": "ar"}
    saved = client.post(url, {**fields, "gender": "female"}, follow=True)
    assert "The delegate is saved." in saved.content.decode()
    person.refresh_from_db()
    assert person.gender == "female"
    assert "<dd>Female</dd>" in saved.content.decode()
    client.post(url, {**fields, "gender": "nope"})
    person.refresh_from_db()
    assert person.gender == "female"
    client.post(url, {**fields, "gender": ""})
    person.refresh_from_db()
    assert person.gender == ""


def test_a_file_with_a_gender_column_is_previewed_then_imported(client, event):
    sign_in(client, event, "secretariat")
    text = "email,name,gender\namina@example.org,Amina,female\nomar@example.org,Omar,\n"
    preview = client.post(
        IMPORT, {"file": SimpleUploadedFile("d.csv", text.encode())}
    ).content.decode()
    assert '<td data-label="Gender">female</td>' in preview
    client.post(IMPORT, confirmation(preview))
    assert dict(Participant.objects.values_list("email", "gender")) == {
        "amina@example.org": "female",
        "omar@example.org": "",
    }
