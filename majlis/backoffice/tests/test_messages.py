"""Organisers write to the people of their sessions through the outbox, and
see what was sent and to whom."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.backoffice.services import session_message_send
from majlis.bookings.services import Actor, booking_create
from majlis.core.exceptions import InvalidInput
from majlis.outbox.models import OutboxMessage
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db
URL = "/en/backoffice/casa/s/talk/messages/"


@pytest.fixture
def session():
    event = EventFactory(slug="casa")
    session = SessionFactory(
        event=event, code="talk", capacity=1, title_en="Future of work"
    )
    seated, waiting = ParticipantFactory.create_batch(2, event=event)
    booking_create(participant=seated, session=session, actor=Actor.delegate())
    booking_create(participant=waiting, session=session, actor=Actor.delegate())
    session.seated, session.waiting = seated, waiting
    outbox_send_due()  # the booking confirmations, out of the way
    mail.outbox.clear()
    return session


def staff(client, session, role: str, *, assigned: bool = True):
    user = User.objects.create_user(role, f"{role}@example.org", "pw-123-long")
    staff_role = StaffRole.objects.create(user=user, event=session.event, role=role)
    if assigned:
        staff_role.sessions.add(session)
    client.force_login(user)
    return user


def test_a_message_to_the_confirmed_reaches_only_them_and_is_logged(client, session):
    organiser = staff(client, session, "organiser")
    response = client.post(
        URL,
        {
            "audience": "confirmed",
            "subject": "Room change",
            "body": "We meet in Menara.",
        },
        follow=True,
    )
    assert "Your message is on its way to 1 delegate." in response.content.decode()
    assert outbox_send_due().sent == 1
    (email,) = mail.outbox
    assert email.to == [session.seated.email]
    assert email.subject == "Future of work: Room change"
    assert "We meet in Menara." in email.body
    written = SessionMessage.objects.get()
    assert (written.author, written.recipients) == (organiser, [session.seated.email])
    page = client.get(URL).content.decode()
    assert "Room change" in page and "1 recipient, 1 delivered so far" in page


def test_a_message_to_both_lists_reaches_everyone(client, session):
    staff(client, session, "organiser")
    client.post(URL, {"audience": "both", "subject": "Hello", "body": "See you soon."})
    assert outbox_send_due().sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [session.seated.email, session.waiting.email]
    )


def test_an_empty_message_is_refused_and_nothing_is_sent(client, session):
    staff(client, session, "organiser")
    response = client.post(URL, {"audience": "confirmed", "subject": "", "body": ""})
    assert response.status_code == 200
    assert not SessionMessage.objects.exists()
    assert outbox_send_due().sent == 0


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\u2028"])
def test_a_subject_with_a_line_break_is_refused_and_nothing_is_queued(
    client, session, line_break
):
    staff(client, session, "organiser")
    response = client.post(
        URL,
        {
            "audience": "both",
            "subject": f"Room change{line_break}Bcc: everyone@example.org",
            "body": "We meet in Menara.",
        },
    )
    page = response.content.decode()
    assert "The subject must fit on one line: remove its line breaks." in page
    assert "on its way" not in page
    assert not SessionMessage.objects.exists()
    assert not OutboxMessage.objects.filter(kind="session_message").exists()


def test_the_service_refuses_a_subject_with_a_line_break_from_any_caller(session):
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    with pytest.raises(InvalidInput, match="fit on one line"):
        session_message_send(
            session=session,
            author=organiser,
            audience="both",
            subject="Room change\nBcc: everyone@example.org",
            body="We meet in Menara.",
        )
    assert not SessionMessage.objects.exists()
    assert not OutboxMessage.objects.filter(kind="session_message").exists()


def test_a_subject_in_french_is_refused_in_french(client, session):
    staff(client, session, "organiser")
    page = client.post(
        URL.replace("/en/", "/fr/"),
        {"audience": "both", "subject": "Salle\nchangée", "body": "Menara."},
    ).content.decode()
    assert "doit tenir sur une ligne : retirez ses retours" in page


def test_door_staff_and_other_organisers_cannot_write(client, session):
    staff(client, session, "door")
    assert client.get(URL).status_code == 403
    other = Client_for_other_organiser(session)
    assert other.get(URL).status_code == 404


def Client_for_other_organiser(session):
    from django.test import Client

    client = Client()
    user = User.objects.create_user("elsewhere", "elsewhere@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=user, event=session.event, role="organiser")
    role.sessions.add(
        SessionFactory(
            event=session.event, starts_at=afternoon(40), ends_at=afternoon(40, 18)
        )
    )
    client.force_login(user)
    return client
