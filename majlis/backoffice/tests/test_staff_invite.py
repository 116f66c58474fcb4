"""The secretariat invites staff by email; they choose a password and sign in
with the role they were given."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from majlis.backoffice.models import StaffRole
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+(/en/backoffice/set-password/\S+/\S+/)")


@pytest.fixture
def event():
    return EventFactory(slug="casa")


def test_an_invited_organiser_sets_a_password_and_sees_their_session(client, event):
    session = SessionFactory(event=event, code="talk", title_en="Future of work")
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    client.force_login(secretariat)

    invited = client.post(
        "/en/backoffice/casa/staff/",
        {
            "email": "New.Organiser@example.org",
            "role": "organiser",
            "sessions": [session.pk],
        },
        follow=True,
    ).content.decode()
    assert "new.organiser@example.org is invited" in invited

    assert outbox_send_due().sent == 1
    (email,) = mail.outbox
    assert email.to == ["new.organiser@example.org"]
    path = LINK.search(email.body).group(1)
    newcomer = Client()
    form_page = newcomer.get(path, follow=True)
    assert "Choose your password" in form_page.content.decode()
    done = newcomer.post(
        form_page.request["PATH_INFO"],
        {
            "new_password1": "a-long-pass-phrase-2026",
            "new_password2": "a-long-pass-phrase-2026",
        },
    )
    assert done.status_code == 302
    assert newcomer.login(
        username="new.organiser@example.org", password="a-long-pass-phrase-2026"
    )
    assert newcomer.get("/en/backoffice/casa/s/talk/roster/").status_code == 200
    # The link works once.
    assert "no longer works" in newcomer.get(path, follow=True).content.decode()


def test_only_the_secretariat_invites(client, event):
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    StaffRole.objects.create(user=organiser, event=event, role="organiser")
    client.force_login(organiser)
    assert client.get("/en/backoffice/casa/staff/").status_code == 403
    response = client.post(
        "/en/backoffice/casa/staff/", {"email": "x@example.org", "role": "secretariat"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_the_secretariat_removes_a_role_but_not_their_own(client, event):
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    own = StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    theirs = StaffRole.objects.create(user=organiser, event=event, role="organiser")
    client.force_login(secretariat)
    page = client.post(f"/en/backoffice/casa/staff/{theirs.pk}/remove/", follow=True)
    assert "org@example.org no longer has a role here." in page.content.decode()
    assert not StaffRole.objects.filter(pk=theirs.pk).exists()
    assert User.objects.filter(pk=organiser.pk).exists()
    refused = client.post(f"/en/backoffice/casa/staff/{own.pk}/remove/", follow=True)
    assert "You cannot remove your own role." in refused.content.decode()
    assert StaffRole.objects.filter(pk=own.pk).exists()
    other_event_role = StaffRole.objects.create(
        user=organiser, event=EventFactory(), role="organiser"
    )
    assert (
        client.post(
            f"/en/backoffice/casa/staff/{other_event_role.pk}/remove/"
        ).status_code
        == 404
    )
