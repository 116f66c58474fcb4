"""A delegate signs out of an app: the token it used stops working, their
other tokens do not."""

import pytest
from django.test import override_settings

from majlis.accounts.models import ParticipantToken
from majlis.accounts.services import participant_token_create
from majlis.api.tests.helpers import API, bearer, error_of
from majlis.testing.factories import ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_token_memory")]


@override_settings(MAJLIS_TOKEN_CACHE_SECONDS=10)
def test_signing_out_ends_the_token_at_once_even_when_remembered(client):
    person = ParticipantFactory()
    phone = bearer(participant_token_create(participant=person))
    laptop = bearer(participant_token_create(participant=person))
    # Both remembered by this process.
    assert client.get(f"{API}/me/bookings", headers=phone).status_code == 200
    assert client.get(f"{API}/me/bookings", headers=laptop).status_code == 200

    answer = client.delete(f"{API}/me/token", headers=phone)

    assert answer.status_code == 204
    assert answer.content == b""
    error_of(client.get(f"{API}/me/bookings", headers=phone), 401)
    error_of(client.delete(f"{API}/me/token", headers=phone), 401)
    assert client.get(f"{API}/me/bookings", headers=laptop).status_code == 200
    assert (
        ParticipantToken.objects.filter(
            participant=person, revoked_at__isnull=False
        ).count()
        == 1
    )


def test_signing_out_needs_a_delegates_token(client, as_integration):
    error_of(client.delete(f"{API}/me/token"), 401)
    error_of(client.delete(f"{API}/me/token", headers=bearer("mj_t_made_up")), 401)
    assert (
        error_of(client.delete(f"{API}/me/token", headers=as_integration), 403)["code"]
        == "forbidden"
    )
    assert not ParticipantToken.objects.filter(revoked_at__isnull=False).exists()


def test_signing_out_is_in_the_openapi_description(client):
    operation = client.get(f"{API}/openapi.json").json()["paths"]["/api/v1/me/token"]
    assert set(operation["delete"]["responses"]) >= {"204", "401", "403"}
