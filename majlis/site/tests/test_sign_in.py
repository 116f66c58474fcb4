"""Signing in with a one-time link sent by email, through the delegates' pages."""

import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from majlis.accounts.models import MagicLink
from majlis.outbox.models import OutboxMessage
from majlis.outbox.services import outbox_send_due
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/sign-in/[\w-]+/(?:\?\S*)?")
MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event, email="amina@example.org", name="Amina")


def request_link(client: Client, event, email: str, next_path: str = "") -> None:
    sign_in = url("sign-in", event=event.slug)
    if next_path:
        sign_in += "?" + urlencode({"next": next_path})
    response = client.post(sign_in, {"email": email, "next": next_path})
    assert response.status_code == 200
    assertTemplateUsed(response, "site/sign_in_sent.html")


def mailed_link() -> str:
    """Send the outbox and return the path (with query) of the one mailed link."""
    mail.outbox.clear()
    report = outbox_send_due()
    assert report.sent == 1, report
    assert len(mail.outbox) == 1
    links = LINK.findall(mail.outbox[0].body)
    assert len(links) == 1, mail.outbox[0].body
    parts = urlsplit(links[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def signed_in_id(client: Client):
    return client.session.get(SESSION_KEY)


def main_text(response, email: str) -> str:
    html = response.content.decode()
    return MAIN.search(html).group(1).replace(email, "EMAIL")


def test_the_answer_is_the_same_whether_or_not_the_email_is_registered(
    client, event, delegate
):
    sign_in = url("sign-in", event=event.slug)
    known = client.post(sign_in, {"email": delegate.email})
    unknown = client.post(sign_in, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assertContains(known, "Check your email")
    assert main_text(known, delegate.email) == main_text(unknown, "nobody@example.org")
    messages = OutboxMessage.objects.filter(kind="magic_link")
    assert list(messages.values_list("to_email", flat=True)) == [delegate.email]
    assert MagicLink.objects.filter(participant=delegate).count() == 1


def test_an_email_registered_for_another_event_gets_no_link(client, event):
    elsewhere = ParticipantFactory(email="other@example.org")
    client.post(url("sign-in", event=event.slug), {"email": elsewhere.email})
    assert not OutboxMessage.objects.filter(kind="magic_link").exists()


def test_the_email_is_matched_whatever_its_case(client, event, delegate):
    request_link(client, event, "AMINA@Example.ORG")
    message = OutboxMessage.objects.get(kind="magic_link")
    assert message.to_email == delegate.email


def test_an_invalid_email_shows_the_form_again(client, event, delegate):
    response = client.post(url("sign-in", event=event.slug), {"email": "amina"})
    assert response.status_code == 200
    assertContains(response, "Email me a sign-in link")
    assertNotContains(response, "Check your email")
    assert not OutboxMessage.objects.exists()


def test_opening_the_link_asks_to_confirm_and_does_not_sign_in(client, event, delegate):
    request_link(client, event, delegate.email)
    link = mailed_link()
    assert link.startswith(f"/en/e/{event.slug}/sign-in/")

    response = client.get(link)

    assert response.status_code == 200
    assertContains(response, "Continue and sign in")
    assertContains(response, '<form method="post">')
    assert signed_in_id(client) is None
    assert MagicLink.objects.get(participant=delegate).used_at is None
    programme = client.get(url("programme", event=event.slug))
    assertNotContains(programme, "My sessions")


def test_confirming_the_link_signs_in_and_goes_to_the_programme(
    client, event, delegate
):
    request_link(client, event, delegate.email)
    link = mailed_link()
    client.get(link)
    before = client.session  # a session that existed before signing in
    before["seen_programme"] = True
    before.save()
    cookie_before = client.cookies["sessionid"].value

    response = client.post(link)

    assertRedirects(response, url("programme", event=event.slug))
    assert signed_in_id(client) == delegate.pk
    assert client.cookies["sessionid"].value != cookie_before, (
        "signing in must give a new session key"
    )
    assert MagicLink.objects.get(participant=delegate).used_at is not None
    assertContains(client.get(url("my-sessions", event=event.slug)), "Amina")


def test_the_link_leads_to_the_page_asked_for(client, event, delegate):
    wanted = url("my-sessions", event=event.slug)
    request_link(client, event, delegate.email, next_path=wanted)
    link = mailed_link()
    assert f"?next={wanted.replace('/', '%2F')}" in link
    confirm = client.get(link)
    assertContains(confirm, f'<input type="hidden" name="next" value="{wanted}">')

    response = client.post(link, {"next": wanted})

    assertRedirects(response, wanted)


@pytest.mark.parametrize(
    "outside",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/en/e/casa/",
        "/\\evil.example",
    ],
)
def test_the_link_never_leads_outside_the_site(client, event, delegate, outside):
    request_link(client, event, delegate.email, next_path=outside)
    assert OutboxMessage.objects.get(kind="magic_link").payload["next"] == ""
    link = mailed_link()
    assert "next=" not in link
    confirm = client.get(f"{link}?{urlencode({'next': outside})}")
    programme = url("programme", event=event.slug)
    assertContains(confirm, f'<input type="hidden" name="next" value="{programme}">')

    response = client.post(link, {"next": outside})

    assertRedirects(response, url("programme", event=event.slug))
    assert signed_in_id(client) == delegate.pk


def test_a_link_works_once(client, event, delegate):
    request_link(client, event, delegate.email)
    link = mailed_link()
    assert client.post(link).status_code == 302

    other_browser = Client()
    response = other_browser.post(link)

    assert response.status_code == 400
    assertContains(response, "This link no longer works", status_code=400)
    assert signed_in_id(other_browser) is None


def test_an_expired_link_does_not_sign_in(client, event, delegate):
    request_link(client, event, delegate.email)
    link = mailed_link()
    MagicLink.objects.filter(participant=delegate).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = client.post(link)

    assertContains(response, "This link no longer works", status_code=400)
    assert signed_in_id(client) is None
    assert MagicLink.objects.get(participant=delegate).used_at is None


def test_a_link_still_valid_signs_in_just_before_it_expires(client, event, delegate):
    request_link(client, event, delegate.email)
    link = mailed_link()
    MagicLink.objects.filter(participant=delegate).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert client.post(link).status_code == 302
    assert signed_in_id(client) == delegate.pk


def test_a_link_only_works_for_its_own_event(client, event, delegate):
    request_link(client, event, delegate.email)
    link = mailed_link()
    other = EventFactory(slug="rabat")
    wrong_event = link.replace(f"/e/{event.slug}/", f"/e/{other.slug}/")

    response = client.post(wrong_event)

    assert response.status_code == 400
    assert signed_in_id(client) is None
    assert client.post(link).status_code == 302


def test_a_made_up_token_does_not_sign_in(client, event, delegate):
    response = client.post(url("sign-in-link", event=event.slug, token="made-up"))
    assertContains(response, "Send me a new link", status_code=400)
    assert signed_in_id(client) is None


def test_signing_out_forgets_the_delegate(client, event, delegate):
    request_link(client, event, delegate.email)
    client.post(mailed_link())
    assert signed_in_id(client) == delegate.pk

    response = client.post(url("sign-out", event=event.slug))

    assertRedirects(response, url("programme", event=event.slug))
    assert signed_in_id(client) is None
    assert client.get(url("sign-out", event=event.slug)).status_code == 405


def test_a_delegate_gets_at_most_five_links_in_fifteen_minutes(client, event, delegate):
    for _ in range(7):
        request_link(client, event, delegate.email)
    assert MagicLink.objects.filter(participant=delegate).count() == 5
    assert OutboxMessage.objects.filter(kind="magic_link").count() == 5
    MagicLink.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    request_link(client, event, delegate.email)
    assert MagicLink.objects.filter(participant=delegate).count() == 6
