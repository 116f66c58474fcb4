"""Signing in with a one-time link sent by email, through the delegates' pages."""

import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import mail
from django.test import Client, override_settings
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


def ask(client: Client, event, email: str, **extra):
    return client.post(url("sign-in", event=event.slug), {"email": email}, **extra)


def test_asking_again_within_a_minute_sends_nothing_and_says_a_link_works(
    client, event, delegate, rate_limit_clock
):
    request_link(client, event, delegate.email)
    rate_limit_clock.advance(20)

    again = ask(client, event, delegate.email)

    assert again.status_code == 429
    assert again["Retry-After"] == "40"
    assertContains(again, "Check your email", status_code=429)
    assertContains(again, "a moment ago", status_code=429)
    assertContains(again, "spam folder", status_code=429)
    assertContains(again, "It can be sent again in 40 seconds.", status_code=429)
    assert OutboxMessage.objects.filter(kind="magic_link").count() == 1


def test_asking_again_says_the_same_for_an_unknown_address(
    client, event, delegate, rate_limit_clock
):
    stranger = "nobody@example.org"
    ask(client, event, delegate.email)
    ask(client, event, stranger)
    rate_limit_clock.advance(5)

    known = ask(client, event, delegate.email)
    unknown = ask(client, event, stranger)

    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert main_text(known, delegate.email) == main_text(unknown, stranger)


def test_after_a_minute_the_same_link_is_sent_again(
    client, event, delegate, rate_limit_clock
):
    request_link(client, event, delegate.email)
    first = mailed_link()
    rate_limit_clock.advance(60)

    request_link(client, event, delegate.email)

    assert mailed_link() == first
    assert MagicLink.objects.filter(participant=delegate).count() == 1
    assert client.post(first).status_code == 302
    assert signed_in_id(client) == delegate.pk


def test_someone_elses_requests_cannot_hold_back_a_delegates_link(
    event, delegate, rate_limit_clock
):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    answers = [ask(attacker, event, delegate.email).status_code for _ in range(40)]
    assert answers == [200] + [429] * 39
    mail.outbox.clear()
    outbox_send_due()
    assert len(mail.outbox) == 1, "one email, not forty"
    rate_limit_clock.advance(60)

    own = Client(REMOTE_ADDR="198.51.100.7")
    request_link(own, event, delegate.email)

    link = mailed_link()
    assert own.post(link).status_code == 302
    assert signed_in_id(own) == delegate.pk


def test_a_link_with_less_than_half_its_life_left_is_replaced_not_ended(
    client, event, delegate, rate_limit_clock
):
    request_link(client, event, delegate.email)
    old = mailed_link()
    MagicLink.objects.update(expires_at=timezone.now() + timedelta(minutes=14))
    rate_limit_clock.advance(60)

    request_link(client, event, delegate.email)

    new = mailed_link()
    assert new != old
    assert "within 30 minutes" in mail.outbox[0].body
    assert Client().post(old).status_code == 302, "the older link still works"
    assert client.post(new).status_code == 302


def test_a_link_sent_again_says_how_long_it_still_works(
    client, event, delegate, rate_limit_clock
):
    request_link(client, event, delegate.email)
    mailed_link()
    MagicLink.objects.update(expires_at=timezone.now() + timedelta(minutes=20))
    rate_limit_clock.advance(60)

    request_link(client, event, delegate.email)

    mailed_link()
    assert "within 19 minutes" in mail.outbox[0].body


@override_settings(MAJLIS_LIMIT_SIGN_IN_CLIENT="3/10m")
def test_one_address_asking_for_many_links_is_told_to_wait(event, rate_limit_clock):
    crowd = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(3):
        assert ask(crowd, event, f"guess{number}@example.org").status_code == 200

    refused = ask(crowd, event, "guess3@example.org")

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 1200
    assertContains(refused, "Too many requests", status_code=429)
    assert (
        ask(Client(REMOTE_ADDR="198.51.100.7"), event, "x@example.org").status_code
        == 200
    )
    rate_limit_clock.advance(1200)
    assert ask(crowd, event, "guess3@example.org").status_code == 200


@override_settings(MAJLIS_LIMIT_SIGN_IN_CLIENT="2/10m")
def test_the_limit_by_address_does_not_hold_back_a_signed_in_delegate(event, delegate):
    venue = "192.0.2.1"
    signed_in = Client(REMOTE_ADDR=venue)
    ask(signed_in, event, delegate.email)
    signed_in.post(mailed_link())
    assert signed_in_id(signed_in) == delegate.pk
    others = Client(REMOTE_ADDR=venue)
    for number in range(2):
        ask(others, event, f"someone{number}@example.org")
    assert ask(others, event, "someone2@example.org").status_code == 429

    assert ask(signed_in, event, "a-colleague@example.org").status_code == 200
