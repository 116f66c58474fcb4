"""The API's rate limits: 429 ``too_many_requests`` with Retry-After, in the
error shape and the caller's language."""

import os
import uuid

import pytest
import redis
from django.test import Client, override_settings

from majlis.api.tests.helpers import API, error_of, unique
from majlis.core import ratelimit
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import ParticipantFactory

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
