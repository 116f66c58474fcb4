"""A delegate's token is looked up once in a while per process, never trusted
past its expiry."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from majlis.accounts.models import Participant, ParticipantToken, hash_secret
from majlis.accounts.services import participant_token_create
from majlis.api.tests.helpers import API, bearer, book, error_of
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_token_memory")]


@override_settings(MAJLIS_TOKEN_CACHE_SECONDS=10)
def test_a_token_is_looked_up_once_then_remembered(client, django_assert_num_queries):
    person = ParticipantFactory()
    headers = bearer(participant_token_create(participant=person))
    assert client.get(f"{API}/me/bookings", headers=headers).status_code == 200

    with django_assert_num_queries(1):  # the bookings, not the token
        answer = client.get(f"{API}/me/bookings", headers=headers)

    assert answer.status_code == 200


@override_settings(MAJLIS_TOKEN_CACHE_SECONDS=10)
def test_a_remembered_token_stops_at_its_expiry(client):
    person = ParticipantFactory()
    raw = participant_token_create(participant=person)
    assert client.get(f"{API}/me/bookings", headers=bearer(raw)).status_code == 200
    # The remembered token, as if its expiry had passed since.
    token = ParticipantToken.objects.get(participant=person)
    token.expires_at = timezone.now() - timedelta(seconds=1)
    caches["tokens"].set(f"token:{hash_secret(raw)}", token, 10)

    error_of(client.get(f"{API}/me/bookings", headers=bearer(raw)), 401)


def test_without_memory_a_revoked_token_is_refused_at_once(client):
    person = ParticipantFactory()
    raw = participant_token_create(participant=person)
    assert client.get(f"{API}/me/bookings", headers=bearer(raw)).status_code == 200
    ParticipantToken.objects.filter(participant=person).update(
        revoked_at=timezone.now()
    )

    error_of(client.get(f"{API}/me/bookings", headers=bearer(raw)), 401)


@override_settings(MAJLIS_TOKEN_CACHE_SECONDS=10)
def test_messages_go_to_the_delegates_address_of_now_not_of_the_remembered_token(
    client,
):
    """Found in review: the remembered token carries a copy of the delegate,
    which must not decide where and in what language a confirmation goes."""
    event = EventFactory()
    morning = SessionFactory(event=event, starts_at=afternoon(hour=9))
    same_time = SessionFactory(event=event, starts_at=afternoon(hour=9))
    later = SessionFactory(event=event, starts_at=afternoon(hour=14))
    person = ParticipantFactory(event=event, language="en")
    headers = bearer(participant_token_create(participant=person))
    assert book(client, headers, event.slug, morning.code).status_code == 201
    Participant.objects.filter(pk=person.pk).update(
        language="fr", email="new-address@example.org"
    )

    # On PostgreSQL the one-statement booking, then the locked path (a switch).
    plain = book(client, headers, event.slug, later.code)
    switched = book(client, headers, event.slug, same_time.code, {"switch": True})

    assert (plain.status_code, switched.status_code) == (201, 201)
    for answer in (plain, switched):
        message = OutboxMessage.objects.get(payload__booking=answer.json()["id"])
        assert (message.to_email, message.language) == ("new-address@example.org", "fr")
