"""The API's rate limits: 429 ``too_many_requests`` with Retry-After, in the
error shape and the caller's language."""

import os
import uuid
from datetime import timedelta

import pytest
import redis
from django.test import Client, override_settings
from django.utils import timezone

from majlis.api.tests.helpers import API, book, error_of, unique
from majlis.core import ratelimit
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("MAJLIS_REDIS_URL") or "redis://127.0.0.1:6379/0"


def magic_link(client: Client, event_slug: str, email: str, lang: str = "en"):
    return client.post(
        f"{API}/auth/magic-link?lang={lang}",
        data={"event": event_slug, "email": email},
        content_type="application/json",
    )


def address(name: str) -> str:
    return f"{unique(name)}@example.org"


def test_a_second_link_within_a_minute_is_429_and_says_the_first_works(
    client, event, rate_limit_clock
):
    delegate = ParticipantFactory(event=event, email=address("amina"))
    stranger = address("stranger")
    assert magic_link(client, event.slug, delegate.email).status_code == 202
    assert magic_link(client, event.slug, stranger).status_code == 202
    rate_limit_clock.advance(45)

    known = magic_link(client, event.slug, delegate.email)
    unknown = magic_link(client, event.slug, stranger)

    error = error_of(known, 429)
    assert error["code"] == "too_many_requests"
    assert known["Retry-After"] == "15"
    assert error["details"] == {"retry_after": 15}
    assert "a moment ago" in error["message"]
    assert "still works" in error["message"]
    assert unknown.json() == known.json()
    assert unknown["Retry-After"] == known["Retry-After"]
    assert OutboxMessage.objects.filter(to_email=delegate.email).count() == 1
    rate_limit_clock.advance(15)
    assert magic_link(client, event.slug, delegate.email).status_code == 202
    assert OutboxMessage.objects.filter(to_email=delegate.email).count() == 2


def test_the_429_speaks_the_callers_language(client, event):
    email = address("amina")
    magic_link(client, event.slug, email)
    error = error_of(magic_link(client, event.slug, email, lang="fr"), 429)
    assert "dossier des indésirables" in error["message"]


@override_settings(MAJLIS_LIMIT_SIGN_IN_CLIENT="3/10m")
def test_one_address_asking_for_many_links_is_429_until_its_window_passes(
    event, rate_limit_clock
):
    crowd = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert magic_link(crowd, event.slug, address("guess")).status_code == 202

    refused = magic_link(crowd, event.slug, address("guess"))

    error = error_of(refused, 429)
    assert error["code"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= 1200
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert magic_link(elsewhere, event.slug, address("guess")).status_code == 202
    rate_limit_clock.advance(1200)
    assert magic_link(crowd, event.slug, address("guess")).status_code == 202


@pytest.fixture
def shared_redis(settings):
    """The limits in the real Redis under a prefix of this test's own,
    removed afterwards; unreachable, the test fails."""
    prefix = f"majlis-test-limits-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    settings.MAJLIS_REDIS_URL = REDIS_URL
    settings.MAJLIS_REDIS_KEY_PREFIX = prefix
    yield client
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


@override_settings(MAJLIS_LIMIT_SIGN_IN_CLIENT="3/10m")
def test_servers_sharing_redis_share_the_limit(event, shared_redis):
    crowd = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert magic_link(crowd, event.slug, address("guess")).status_code == 202
        ratelimit._limiter = None  # the next request on another server

    error_of(magic_link(crowd, event.slug, address("guess")), 429)
    assert any(shared_redis.scan_iter(f"{ratelimit.limiter().prefix}rl:*"))


# Booking changes, per delegate


def cycle(client, headers, event, code: str) -> list[int]:
    """Book a seat, then cancel it: two changes."""
    booked = book(client, headers, event.slug, code)
    if booked.status_code != 201:
        return [booked.status_code]
    cancelled = client.delete(f"{API}/bookings/{booked.json()['id']}", headers=headers)
    return [booked.status_code, cancelled.status_code]


def test_a_delegate_booking_a_few_times_a_second_is_not_limited(
    client, event, as_delegate
):
    for hour, code in enumerate("abc"):
        later = timezone.now() + timedelta(days=1, hours=3 * hour)
        SessionFactory(event=event, code=code, starts_at=later)
    statuses = [
        book(client, as_delegate, event.slug, code).status_code for code in "abc"
    ]
    assert statuses == [201, 201, 201]


def test_twenty_five_book_and_cancel_cycles_at_once_are_cut_short_with_429(
    client, event, delegate, as_delegate, rate_limit_clock
):
    SessionFactory(event=event, code="s")
    statuses = []
    for _ in range(25):
        statuses += cycle(client, as_delegate, event, "s")

    assert statuses.count(201) + statuses.count(200) == 20
    assert statuses[20:] == [429] * (len(statuses) - 20)
    refused = book(client, as_delegate, event.slug, "s")
    error = error_of(refused, 429)
    assert error["code"] == "too_many_requests"
    assert int(refused["Retry-After"]) >= 1
    emails = OutboxMessage.objects.filter(to_email=delegate.email).count()
    assert emails <= 20
    rate_limit_clock.advance(120)
    assert book(client, as_delegate, event.slug, "s").status_code == 201


def test_changing_access_needs_counts_as_a_change(client, event, delegate, as_delegate):
    SessionFactory(event=event, code="s")
    booking = book(client, as_delegate, event.slug, "s").json()["id"]
    with override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="3/1m"):
        answers = [
            client.patch(
                f"{API}/bookings/{booking}",
                data={"access_needs": ["wheelchair"]},
                content_type="application/json",
                headers=as_delegate,
            ).status_code
            for _ in range(3)
        ]
    assert answers == [200, 200, 429]


def test_delegates_signed_in_from_one_address_are_limited_each_on_their_own(
    event, token_headers
):
    """A whole venue's delegates share the address of its Wi-Fi."""
    venue = Client(REMOTE_ADDR="192.0.2.1")
    for hour, code in enumerate("ab"):
        later = timezone.now() + timedelta(days=1, hours=3 * hour)
        SessionFactory(event=event, code=code, capacity=500, starts_at=later)
    delegates = ParticipantFactory.create_batch(30, event=event)
    with override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="2/1m"):
        statuses = [
            book(venue, token_headers(person), event.slug, code).status_code
            for person in delegates
            for code in ("a", "b")
        ]
    assert statuses == [201] * 60


def test_an_integration_cancelling_for_a_delegate_is_not_counted_as_them(
    client, event, delegate, as_delegate, as_integration
):
    SessionFactory(event=event, code="s")
    with override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="3/1m"):
        for _ in range(3):
            booking = book(client, as_delegate, event.slug, "s")
            assert booking.status_code == 201
            cancelled = client.delete(
                f"{API}/bookings/{booking.json()['id']}", headers=as_integration
            )
            assert cancelled.status_code == 200
        error_of(book(client, as_delegate, event.slug, "s"), 429)
