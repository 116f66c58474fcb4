"""The secretariat invites staff by email; they choose a password and sign in
with the role they were given."""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import translation

from majlis.backoffice.models import StaffRole
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, SessionFactory
from majlis.testing.text import isolated

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
    assert "<bdi>new.organiser@example.org</bdi> is invited" in invited

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
    assert (
        "<bdi>org@example.org</bdi> no longer has a role here." in page.content.decode()
    )
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
    assert "The role and sessions of <bdi>org@example.org</bdi> are saved." in saved

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


@pytest.fixture
def secretariat(client, event):
    user = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return user


def test_inviting_someone_who_has_a_role_shows_both_and_asks_to_replace(
    client, event, secretariat
):
    talk = SessionFactory(event=event, code="talk", title_en="Future of work")
    lab = SessionFactory(event=event, code="lab", title_en="Policy lab")
    door = User.objects.create_user("door", "door@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=door, event=event, role="door")
    role.sessions.add(talk)
    invitation = {
        "email": "Door@example.org",
        "role": "organiser",
        "sessions": [lab.pk],
    }

    warned = client.post("/en/backoffice/casa/staff/", invitation)

    page = html.unescape(warned.content.decode())
    assert warned.status_code == 200
    assert (
        '<bdi>door@example.org</bdi> has the role "Door staff" here already: tick this box '
        "to replace it with the role below." in page
    )
    assert '<a href="#id_replace">' in page  # in the summary at the top
    compared = page[page.index('class="roles-compared"') :]
    compared = compared[: compared.index("<form") if "<form" in compared else None]
    assert compared.index("Current role") < compared.index("Door staff")
    assert compared.index("Future of work") < compared.index("New role")
    assert compared.index("New role") < compared.index("Session organiser")
    assert compared.index("Session organiser") < compared.index("Policy lab")
    assert 'type="checkbox" name="replace"' in page
    role.refresh_from_db()
    assert (role.role, list(role.sessions.all())) == ("door", [talk])
    assert not mail.outbox and outbox_send_due().sent == 0

    replaced = client.post(
        "/en/backoffice/casa/staff/", {**invitation, "replace": "on"}, follow=True
    )
    assert "<bdi>door@example.org</bdi> is invited" in replaced.content.decode()
    role.refresh_from_db()
    assert (role.role, list(role.sessions.all())) == ("organiser", [lab])


def test_a_new_address_needs_no_confirmation_and_its_box_stays_hidden(
    client, event, secretariat
):
    page = client.get("/en/backoffice/casa/staff/").content.decode()
    assert 'type="hidden" name="replace"' in page
    assert "roles-compared" not in page


@pytest.mark.parametrize("role", ["organiser", "door"])
def test_a_session_organiser_or_door_staff_role_names_a_session(
    client, event, secretariat, role
):
    SessionFactory(event=event, code="talk")
    refused = client.post(
        "/en/backoffice/casa/staff/", {"email": "x@example.org", "role": role}
    ).content.decode()
    assert "Choose at least one session" in refused
    assert '<a href="#id_sessions_0">' in refused
    assert not User.objects.filter(email="x@example.org").exists()

    other = User.objects.create_user("org", "org@example.org", "pw-123-long")
    staff = StaffRole.objects.create(user=other, event=event, role="secretariat")
    changed = client.post(
        f"/en/backoffice/casa/staff/{staff.pk}/", {"role": role}
    ).content.decode()
    assert "Choose at least one session" in changed
    staff.refresh_from_db()
    assert staff.role == "secretariat"


def test_the_invitation_tells_the_role_as_invited_though_it_changed_before_sending(
    client, event, secretariat
):
    talk = SessionFactory(event=event, code="talk", title_en="Future of work")
    lab = SessionFactory(event=event, code="lab", title_en="Policy lab")
    client.post(
        "/en/backoffice/casa/staff/",
        {"email": "new@example.org", "role": "organiser", "sessions": [talk.pk]},
    )
    role = StaffRole.objects.get(user__email="new@example.org")
    # Changed before the outbox sends the invitation.
    role.role = "door"
    role.save()
    role.sessions.set([lab])

    assert outbox_send_due().sent == 1
    (email,) = mail.outbox
    assert 'You have the role "Session organiser"' in email.body
    assert f"\nYour sessions: {isolated('Future of work')}.\n" in email.body
    assert "Door staff" not in email.body and "Policy lab" not in email.body


def test_an_invitation_is_written_in_the_language_it_was_sent_in(
    client, event, secretariat
):
    SessionFactory(event=event, code="talk", title_en="Future of work")
    client.post(
        "/fr/backoffice/casa/staff/",
        {"email": "chef@example.org", "role": "secretariat"},
    )
    StaffRole.objects.filter(user__email="chef@example.org").delete()
    assert outbox_send_due().sent == 1
    (email,) = mail.outbox
    with translation.override("fr"):
        assert str(StaffRole.Role.SECRETARIAT.label) in email.body
    assert "Your sessions" not in email.body


def test_nobody_replaces_their_own_role_by_inviting_their_own_address(
    client, event, secretariat
):
    talk = SessionFactory(event=event, code="talk")

    refused = client.post(
        "/en/backoffice/casa/staff/",
        {
            "email": "SEC@example.org",
            "role": "door",
            "sessions": [talk.pk],
            "replace": "on",
        },
    )

    assert refused.status_code == 200
    assert "You cannot change your own role." in refused.content.decode()
    role = StaffRole.objects.get(user=secretariat)
    assert (role.role, role.sessions.count()) == ("secretariat", 0)
    assert outbox_send_due().sent == 0
