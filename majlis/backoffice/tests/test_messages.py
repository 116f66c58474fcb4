"""Organisers write to the people of their sessions through the outbox: they
see the message as each language's delegates will read it and how many it
goes to, confirm, and see what was sent and to whom."""

import html
import re
import uuid

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
from majlis.testing.text import isolated

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


def hidden_fields(page: str) -> dict[str, str]:
    """The fields the confirming form carries, as the preview page holds them."""
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="(\w+)" value="([^"]*)"', page
        )
        if name != "csrfmiddlewaretoken"
    }


def test_a_message_to_the_confirmed_reaches_only_them_and_is_logged(client, session):
    organiser = staff(client, session, "organiser")
    preview = client.post(
        URL,
        {
            "audience": "confirmed",
            "subject": "Room change",
            "body": "We meet in Menara.\nBring your badge.",
            "reply_to": "organiser@example.org",
        },
    ).content.decode()
    assert "It will go to 1 delegate." in preview
    # As it will be sent.
    assert f"{isolated('Future of work')}: Room change" in preview
    assert "Send to 1 delegate" in preview
    assert not SessionMessage.objects.exists() and outbox_send_due().sent == 0
    response = client.post(URL, {**hidden_fields(preview), "confirm": "1"}, follow=True)
    assert "Your message is on its way to 1 delegate." in response.content.decode()
    assert outbox_send_due().sent == 1
    (email,) = mail.outbox
    assert email.to == [session.seated.email]
    assert email.subject == f"{isolated('Future of work')}: Room change"
    assert "We meet in Menara.\nBring your badge." in email.body
    assert email.reply_to == ["organiser@example.org"]
    written = SessionMessage.objects.get()
    assert (written.author, written.recipients) == (organiser, [session.seated.email])
    page = client.get(URL).content.decode()
    assert "Room change" in page and "1 recipient, 1 delivered so far" in page


def test_a_message_to_both_lists_reaches_everyone(client, session):
    staff(client, session, "organiser")
    client.post(
        URL,
        {"audience": "both", "subject": "Hello", "body": "See you.", "confirm": "1"},
    )
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


@pytest.fixture
def three_languages(session):
    """A confirmed delegate reading French, two waiting reading Arabic and
    English (the session's capacity is 1)."""
    Participant = type(session.seated)
    Participant.objects.filter(pk=session.seated.pk).update(language="fr")
    Participant.objects.filter(pk=session.waiting.pk).update(language="ar")
    english = ParticipantFactory(event=session.event, language="en")
    booking_create(participant=english, session=session, actor=Actor.delegate())
    session.title_fr, session.title_ar = "Avenir du travail", "مستقبل العمل"
    session.save(update_fields=["title_fr", "title_ar"])
    outbox_send_due()
    mail.outbox.clear()
    return session


def test_the_preview_shows_each_language_present_as_it_will_be_sent(
    client, three_languages
):
    staff(client, three_languages, "organiser")
    page = client.post(
        URL,
        {
            "audience": "both",
            "subject": "Room change",
            "body": "We meet in Menara.",
            "subject_fr": "Changement de salle",
            "body_ar": "نلتقي في قاعة المنارة.",
        },
    ).content.decode()
    assert "It will go to 3 delegates." in page
    for language in ("English", "French", "Arabic"):
        assert f"In {language}, for 1 delegate" in page
    assert "In Spanish" not in page
    # Each as its delegates read it: their version, else the main text, with
    # the session's title and the email's own words in their language.
    assert f"{isolated('Avenir du travail')} : Changement de salle" in page
    assert f"{isolated('مستقبل العمل')}: Room change" in page
    assert "نلتقي في قاعة المنارة." in page
    assert 'lang="ar" dir="rtl"' in page
    assert (
        f"Envoyé par les organisateurs de « {isolated('Avenir du travail')} »" in page
    )
    assert not SessionMessage.objects.exists()


def test_each_delegate_gets_the_version_in_their_language_or_the_main_text(
    client, three_languages
):
    staff(client, three_languages, "organiser")
    client.post(
        URL,
        {
            "audience": "both",
            "subject": "Room change",
            "body": "We meet in Menara.",
            "subject_fr": "Changement de salle",
            "body_fr": "Rendez-vous à Menara.",
            "body_ar": "نلتقي في قاعة المنارة.",
            "confirm": "1",
        },
    )
    assert outbox_send_due().sent == 3
    by_language = {email.to[0]: email for email in mail.outbox}
    french = by_language[three_languages.seated.email]
    arabic = by_language[three_languages.waiting.email]
    (english,) = [
        e
        for address, e in by_language.items()
        if address not in (three_languages.seated.email, three_languages.waiting.email)
    ]
    assert french.subject == f"{isolated('Avenir du travail')} : Changement de salle"
    assert "Rendez-vous à Menara." in french.body
    assert arabic.subject == f"{isolated('مستقبل العمل')}: Room change"
    assert "نلتقي في قاعة المنارة." in arabic.body
    assert english.subject == f"{isolated('Future of work')}: Room change"
    assert "We meet in Menara." in english.body
    assert SessionMessage.objects.get().versions == {
        "fr": {"subject": "Changement de salle", "body": "Rendez-vous à Menara."},
        "ar": {"body": "نلتقي في قاعة المنارة."},
    }


def test_replies_go_to_the_events_address_when_chosen_and_nowhere_else(client, session):
    session.event.contact_email = "forum@example.org"
    session.event.save(update_fields=["contact_email"])
    staff(client, session, "organiser")
    form = client.get(URL).content.decode()
    assert "You: <bdi>organiser@example.org</bdi>" in form
    assert "The event: <bdi>forum@example.org</bdi>" in form
    message = {"audience": "confirmed", "subject": "Hi", "body": "Hello."}
    refused = client.post(
        URL, {**message, "reply_to": "attacker@example.org", "confirm": "1"}
    )
    assert refused.status_code == 200 and not SessionMessage.objects.exists()
    client.post(URL, {**message, "reply_to": "forum@example.org", "confirm": "1"})
    outbox_send_due()
    (email,) = mail.outbox
    assert email.reply_to == ["forum@example.org"]
    assert "Reply-To: forum@example.org" in email.message().as_string()


def test_the_service_accepts_only_the_authors_or_the_events_address(session):
    organiser = User.objects.create_user("org", "org@example.org", "pw-123-long")
    with pytest.raises(InvalidInput, match="your address or to the event"):
        session_message_send(
            session=session,
            author=organiser,
            audience="both",
            subject="Hi",
            body="Hello.",
            reply_to="someone@example.org",
        )
    assert not SessionMessage.objects.exists()


def test_changing_the_message_brings_the_form_back_filled_and_sends_nothing(
    client, session
):
    staff(client, session, "organiser")
    preview = client.post(
        URL, {"audience": "both", "subject": "Room change", "body": "Menara."}
    ).content.decode()
    page = client.post(URL, {**hidden_fields(preview), "edit": "1"}).content.decode()
    assert 'value="Room change"' in page and "Menara.</textarea>" in page
    assert "It will go to" not in page
    assert not SessionMessage.objects.exists()
    assert not OutboxMessage.objects.filter(kind="session_message").exists()


def test_a_versions_subject_with_a_line_break_is_refused(client, session):
    staff(client, session, "organiser")
    page = client.post(
        URL,
        {
            "audience": "both",
            "subject": "Room change",
            "body": "Menara.",
            "subject_es": "Cambio\nde sala",
            "confirm": "1",
        },
    ).content.decode()
    assert "The subject must fit on one line" in page
    assert not SessionMessage.objects.exists()


def test_with_nobody_on_the_list_nothing_can_be_sent(client, session):
    staff(client, session, "organiser")
    Booking = type(session.seated.bookings.first())
    Booking.objects.filter(session=session, status="waitlisted").update(
        status="cancelled"
    )
    page = client.post(
        URL, {"audience": "waitlisted", "subject": "Hi", "body": "Hello."}
    ).content.decode()
    assert "It will go to 0 delegates." in page
    assert "Send to" not in page and "Change the message" in page


def test_the_preview_is_in_the_readers_language(client, session):
    staff(client, session, "organiser")
    page = client.post(
        URL.replace("/en/", "/es/"),
        {"audience": "both", "subject": "Hola", "body": "Hola."},
    ).content.decode()
    assert "Se enviará a 2 delegados." in page


def test_the_secretariat_sets_the_events_contact_address_in_its_settings(
    client, session
):
    staff(client, session, "secretariat")
    event = session.event
    client.post(
        "/en/backoffice/casa/settings/",
        {
            "name_en": event.name_en,
            "venue": "",
            "contact_email": "forum@example.org",
            "main_language": "en",
        },
    )
    event.refresh_from_db()
    assert event.contact_email == "forum@example.org"
    bad = client.post(
        "/en/backoffice/casa/settings/",
        {"name_en": event.name_en, "contact_email": "not an address"},
    )
    assert bad.status_code == 200
    event.refresh_from_db()
    assert event.contact_email == "forum@example.org"


def test_a_preview_sends_once_however_often_its_form_is_posted(client, session):
    """Going back to the preview and sending again (or a page resubmitted)
    sends nothing more; a new preview of the same text may be sent."""
    staff(client, session, "organiser")
    message = {"audience": "confirmed", "subject": "Room change", "body": "Menara."}
    preview = client.post(URL, message).content.decode()
    confirming = {**hidden_fields(preview), "confirm": "1"}
    assert confirming["send_token"]

    first = client.post(URL, confirming, follow=True).content.decode()
    again = client.post(URL, confirming, follow=True).content.decode()

    assert "Your message is on its way to 1 delegate." in first
    assert "This message was already sent, from this preview" in again
    assert SessionMessage.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="session_message").count() == 1

    another_preview = client.post(URL, message).content.decode()
    client.post(URL, {**hidden_fields(another_preview), "confirm": "1"})
    assert SessionMessage.objects.count() == 2


def test_the_service_refuses_a_second_send_with_the_same_token(session):
    organiser = User.objects.create_user("o", "o@example.org", "pw-123-long")
    token = uuid.uuid4()
    sent = {"session": session, "author": organiser, "audience": "both"}
    session_message_send(**sent, subject="Hi", body="Hello.", send_token=token)
    with pytest.raises(InvalidInput, match="already sent, from this preview"):
        session_message_send(**sent, subject="Hi", body="Hello.", send_token=token)
    assert OutboxMessage.objects.filter(kind="session_message").count() == 2


def test_the_same_message_previewed_in_two_tabs_is_sent_once(client, session):
    """Two previews of the same text before either is sent (two tabs, or two
    organisers) carry one token: the second send is refused, and says so."""
    staff(client, session, "organiser")
    message = {"audience": "both", "subject": "Room change", "body": "Menara."}
    first_tab = hidden_fields(client.post(URL, message).content.decode())
    second_tab = hidden_fields(client.post(URL, message).content.decode())
    other_text = hidden_fields(
        client.post(URL, {**message, "body": "Menara, floor 2."}).content.decode()
    )

    client.post(URL, {**first_tab, "confirm": "1"})
    again = client.post(URL, {**second_tab, "confirm": "1"}, follow=True)
    client.post(URL, {**other_text, "confirm": "1"})

    assert "was already sent, from this preview or another" in again.content.decode()
    assert [sent.body for sent in SessionMessage.objects.order_by("pk")] == [
        "Menara.",
        "Menara, floor 2.",
    ]
    assert OutboxMessage.objects.filter(kind="session_message").count() == 4


def test_the_same_message_previewed_around_another_send_is_sent_once(client, session):
    """One tab previews the room change, another message goes out, a second
    tab previews the same room change; both tabs are then sent: the room
    change goes once, whatever was sent between the two previews."""
    staff(client, session, "organiser")
    message = {"audience": "both", "subject": "Room change", "body": "Menara."}
    other = {"audience": "both", "subject": "Lunch", "body": "At noon."}
    first_tab = hidden_fields(client.post(URL, message).content.decode())
    client.post(
        URL, {**hidden_fields(client.post(URL, other).content.decode()), "confirm": "1"}
    )
    second_tab = hidden_fields(client.post(URL, message).content.decode())

    client.post(URL, {**first_tab, "confirm": "1"})
    again = client.post(URL, {**second_tab, "confirm": "1"}, follow=True)

    assert "was already sent, from this preview or another" in again.content.decode()
    assert [sent.body for sent in SessionMessage.objects.order_by("pk")] == [
        "At noon.",
        "Menara.",
    ]
