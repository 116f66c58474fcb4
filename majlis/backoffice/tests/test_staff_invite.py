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
    page = client.post(
        f"/en/backoffice/casa/staff/{theirs.pk}/remove/", {"confirm": "1"}, follow=True
    )
    assert "org@example.org no longer has a role here." in page.content.decode()
    assert not StaffRole.objects.filter(pk=theirs.pk).exists()
    assert User.objects.filter(pk=organiser.pk).exists()
    refused = client.post(
        f"/en/backoffice/casa/staff/{own.pk}/remove/", {"confirm": "1"}, follow=True
    )
    assert "You cannot remove your own role." in refused.content.decode()
    assert StaffRole.objects.filter(pk=own.pk).exists()
    other_event_role = StaffRole.objects.create(
        user=organiser, event=EventFactory(), role="organiser"
    )
    assert (
        client.post(
            f"/en/backoffice/casa/staff/{other_event_role.pk}/remove/",
            {"confirm": "1"},
        ).status_code
        == 404
    )


def test_the_secretariat_moves_an_organiser_to_the_door_of_another_session(
    client, event
):
    talk = SessionFactory(event=event, code="talk", title_en="Future of work")
    lab = SessionFactory(
        event=event,
        code="lab",
        title_en="Policy lab",
        title_fr="Laboratoire politique",
        starts_at=talk.ends_at,
        ends_at=talk.ends_at + (talk.ends_at - talk.starts_at),
    )
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=organiser, event=event, role="organiser")
    role.sessions.add(talk)
    client.force_login(secretariat)

    staff_page = client.get("/en/backoffice/casa/staff/").content.decode()
    assert f'href="/en/backoffice/casa/staff/{role.pk}/"' in staff_page
    form = client.get(f"/fr/backoffice/casa/staff/{role.pk}/").content.decode()
    assert "Laboratoire politique" in form  # sessions named in the page's language
    assert 'value="organiser" required id="id_role_1" checked' in form
    saved = client.post(
        f"/en/backoffice/casa/staff/{role.pk}/",
        {"role": "door", "sessions": [lab.pk]},
        follow=True,
    ).content.decode()
    assert "The role and sessions of org@example.org are saved." in saved

    role.refresh_from_db()
    assert role.role == "door"
    assert list(role.sessions.all()) == [lab]
    door = Client()
    door.force_login(organiser)
    assert door.get("/en/backoffice/casa/s/lab/check-in/").status_code == 200
    assert door.get("/en/backoffice/casa/s/lab/roster/").status_code == 403
    assert door.get("/en/backoffice/casa/s/talk/check-in/").status_code == 404


def test_the_secretariat_role_keeps_no_sessions(client, event):
    talk = SessionFactory(event=event, code="talk")
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=organiser, event=event, role="organiser")
    role.sessions.add(talk)
    client.force_login(secretariat)
    client.post(
        f"/en/backoffice/casa/staff/{role.pk}/",
        {"role": "secretariat", "sessions": [talk.pk]},
    )
    role.refresh_from_db()
    assert (role.role, role.sessions.count()) == ("secretariat", 0)


def test_nobody_changes_their_own_role_nor_gives_another_events_sessions(client, event):
    talk = SessionFactory(event=event, code="talk")
    elsewhere = SessionFactory(code="elsewhere")
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    own = StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=organiser, event=event, role="organiser")
    role.sessions.add(talk)
    client.force_login(secretariat)

    staff_page = client.get("/en/backoffice/casa/staff/").content.decode()
    assert f'href="/en/backoffice/casa/staff/{own.pk}/"' not in staff_page
    page = client.get(f"/en/backoffice/casa/staff/{own.pk}/").content.decode()
    assert "You cannot change your own role." in page
    assert 'name="role"' not in page
    refused = client.post(
        f"/en/backoffice/casa/staff/{own.pk}/", {"role": "door"}, follow=True
    ).content.decode()
    assert "You cannot change your own role." in refused
    own.refresh_from_db()
    assert own.role == "secretariat"

    wrong = client.post(
        f"/en/backoffice/casa/staff/{role.pk}/",
        {"role": "organiser", "sessions": [elsewhere.pk]},
    )
    assert wrong.status_code == 200  # the form says the choice is not valid
    assert list(role.sessions.all()) == [talk]


def test_someone_invited_to_the_secretariat_keeps_no_sessions_either(client, event):
    talk = SessionFactory(event=event, code="talk")
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    client.force_login(secretariat)

    client.post(
        "/en/backoffice/casa/staff/",
        {"email": "chief@example.org", "role": "secretariat", "sessions": [talk.pk]},
    )

    role = StaffRole.objects.get(user__email="chief@example.org")
    assert (role.role, role.sessions.count()) == ("secretariat", 0)
