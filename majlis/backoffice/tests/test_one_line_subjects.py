"""What heads an email's subject fits on one line: a session's title and an
event's name with a line break are refused on their forms (back office and
admin), and one stored before still gives an email that can be sent."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from majlis.backoffice.forms import SessionForm
from majlis.backoffice.services import session_message_send
from majlis.backoffice.tests.test_session_edit import form_data, sign_in
from majlis.bookings.services import Actor, booking_create
from majlis.events.models import Session
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.testing.text import isolated

pytestmark = pytest.mark.django_db
EDIT = "/en/backoffice/casa/s/talk/edit/"


@pytest.fixture
def session():
    return SessionFactory(
        event=EventFactory(slug="casa"), code="talk", title_en="Future of work"
    )


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028"])
def test_a_title_with_a_line_break_is_refused_and_nothing_changes(
    client, session, line_break
):
    sign_in(client, session)
    page = client.post(
        EDIT, form_data(client, title_fr=f"Avenir{line_break}du travail")
    ).content.decode()
    assert (
        "A title must fit on one line, as it heads emails: remove its line breaks."
        in page
    )
    assert Session.objects.get(pk=session.pk).title_fr == session.title_fr


def test_the_title_is_refused_in_the_readers_language(client, session):
    sign_in(client, session)
    page = client.post(
        EDIT.replace("/en/", "/ar/"), form_data(client, title_en="Future\nof work")
    ).content.decode()
    assert "يجب أن يكون العنوان في سطر واحد" in page


def test_the_admins_session_form_refuses_it_too(session):
    form = SessionForm(
        data={
            **{
                name: getattr(session, name)
                for name in ("code", "title_en", "capacity", "format")
            },
            "event": session.event_id,
            "title_es": "Futuro\ndel trabajo",
            "languages": ["en"],
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "no_show_release_minutes": 10,
        },
        instance=session,
    )
    assert not form.is_valid()
    assert "title_es" in form.errors


def test_an_events_name_with_a_line_break_is_refused(client, session):
    sign_in(client, session)
    event = session.event
    page = client.post(
        "/en/backoffice/casa/settings/",
        {
            "name_en": "Casablanca\nForum",
            "venue": "",
            "main_language": "en",
        },
    ).content.decode()
    assert "A name must fit on one line, as it heads emails" in page
    event.refresh_from_db()
    assert "\n" not in event.name_en


def test_a_title_stored_with_a_line_break_still_gives_emails_that_are_sent(session):
    Session.objects.filter(pk=session.pk).update(
        title_en="Future\r\nof work", title_fr="", title_es="", title_ar=""
    )
    session.refresh_from_db()
    delegate = ParticipantFactory(event=session.event)
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    author = User.objects.create_user("org", "org@example.org", "pw-123-long")
    session_message_send(
        session=session,
        author=author,
        audience="confirmed",
        subject="Room change",
        body="We meet in Menara.",
    )
    report = outbox_send_due()
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    subjects = sorted(email.subject for email in mail.outbox)
    assert f"{isolated('Future of work')}: Room change" in subjects
    assert all("\n" not in subject and "\r" not in subject for subject in subjects)
