"""An integration's key acts on its own event only; a delegate's token expires."""

from datetime import timedelta

import pytest
from django.utils import timezone

from majlis.accounts.models import Participant, ParticipantToken
from majlis.accounts.services import api_key_create, participant_token_create
from majlis.api.tests.helpers import bearer, error_of, unique
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import ParticipantFactory, SessionFactory

API = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def own_key(event) -> dict[str, str]:
    return bearer(api_key_create(name=unique("app"), event=event))


@pytest.fixture
def foreign_booking(other_event) -> Booking:
    session = SessionFactory(event=other_event, code="elsewhere")
    person = ParticipantFactory(event=other_event, email="someone@example.org")
    return booking_create(participant=person, session=session, actor=Actor.delegate())


def test_a_key_reads_the_roster_of_its_own_event_only(
    client, event, other_event, own_key
):
    SessionFactory(event=event, code="here")
    SessionFactory(event=other_event, code="there")
    mine = client.get(
        f"{API}/events/{event.slug}/sessions/here/roster", headers=own_key
    )
    assert mine.status_code == 200
    response = client.get(
        f"{API}/events/{other_event.slug}/sessions/there/roster", headers=own_key
    )
    assert error_of(response, 404)["code"] == "not_found"


def test_a_key_registers_delegates_and_issues_tokens_in_its_own_event_only(
    client, event, other_event, own_key
):
    body = {
        "name": "Amina",
        "organisation": "",
        "constituency": "other",
        "country": "",
        "language": "en",
    }
    mine = client.put(
        f"{API}/events/{event.slug}/participants/a@example.org",
        body,
        content_type="application/json",
        headers=own_key,
    )
    assert mine.status_code == 201
    theirs = client.put(
        f"{API}/events/{other_event.slug}/participants/a@example.org",
        body,
        content_type="application/json",
        headers=own_key,
    )
    assert error_of(theirs, 404)["code"] == "not_found"
    assert not Participant.objects.filter(event=other_event).exists()
    ParticipantFactory(event=other_event, email="b@example.org")
    token = client.post(
        f"{API}/events/{other_event.slug}/participants/b@example.org/token",
        headers=own_key,
    )
    assert error_of(token, 404)["code"] == "not_found"


def test_a_key_cannot_cancel_a_booking_of_another_event(
    client, own_key, foreign_booking
):
    response = client.delete(f"{API}/bookings/{foreign_booking.pk}", headers=own_key)
    assert error_of(response, 404)["code"] == "not_found"
    foreign_booking.refresh_from_db()
    assert foreign_booking.status == "confirmed"


def test_a_key_for_every_event_may_act_on_any(client, foreign_booking):
    everywhere = bearer(api_key_create(name=unique("secretariat"), event=None))
    response = client.delete(f"{API}/bookings/{foreign_booking.pk}", headers=everywhere)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_an_expired_delegate_token_is_refused(client, delegate):
    headers = bearer(participant_token_create(participant=delegate))
    assert client.get(f"{API}/me/bookings", headers=headers).status_code == 200
    ParticipantToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"{API}/me/bookings", headers=headers)
    assert error_of(response, 401)["code"] == "unauthenticated"
