"""The API's token look-up, one statement built from the models, loads exactly
what the ORM would and refuses what the ORM would refuse."""

from datetime import timedelta

import pytest
from django.db.models import Model
from django.utils import timezone

from majlis.accounts.models import ParticipantToken, hash_secret
from majlis.accounts.selectors import participant_token_valid
from majlis.accounts.services import participant_token_create
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def field_values(instance: Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


def test_the_token_its_delegate_and_event_are_those_the_orm_loads():
    event = EventFactory(booking_opens_at=timezone.now() - timedelta(days=1))
    person = ParticipantFactory(event=event, country="MA", language="ar")
    raw = participant_token_create(participant=person)
    key_hash = hash_secret(raw)

    found = participant_token_valid(key_hash=key_hash, now=timezone.now())

    expected = ParticipantToken.objects.select_related(
        "participant", "participant__event"
    ).get(key_hash=key_hash)
    assert found is not None
    assert field_values(found) == field_values(expected)
    assert field_values(found.participant) == field_values(expected.participant)
    assert field_values(found.participant.event) == field_values(
        expected.participant.event
    )
    # Loaded from the database as the ORM does: saving changes nothing else.
    assert found.participant._state.adding is False
    assert found.participant._state.db == "default"
    assert found.participant.country.code == "MA"
    assert found.expires_at.tzinfo is not None


def test_the_delegate_and_event_come_without_another_query(django_assert_num_queries):
    person = ParticipantFactory()
    key_hash = hash_secret(participant_token_create(participant=person))

    with django_assert_num_queries(1):
        found = participant_token_valid(key_hash=key_hash, now=timezone.now())
        assert found is not None
        assert found.participant.event.slug == person.event.slug


def test_revoked_expired_and_unknown_tokens_are_not_found():
    person = ParticipantFactory()
    now = timezone.now()
    revoked = hash_secret(participant_token_create(participant=person))
    ParticipantToken.objects.filter(key_hash=revoked).update(revoked_at=now)
    expired = hash_secret(participant_token_create(participant=person))
    ParticipantToken.objects.filter(key_hash=expired).update(expires_at=now)

    assert participant_token_valid(key_hash=revoked, now=now) is None
    assert participant_token_valid(key_hash=expired, now=now) is None
    assert participant_token_valid(key_hash=hash_secret("mjp_unknown"), now=now) is None
