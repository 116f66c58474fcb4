"""Check-in lookups at the door under their rate limit, per staff member."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from pytest_django.asserts import assertContains

from majlis.backoffice.models import StaffRole
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

DOOR = "/en/backoffice/casa/s/talk/check-in/"


@pytest.fixture
def session():
    return SessionFactory(event=EventFactory(slug="casa"), code="talk")


def door_staff(session, name: str) -> Client:
    user = User.objects.create_user(name, f"{name}@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=user, event=session.event, role="door")
    role.sessions.add(session)
    client = Client(REMOTE_ADDR="192.0.2.1")
    client.force_login(user)
    return client


@override_settings(MAJLIS_LIMIT_DOOR_LOOKUPS="5/1m")
def test_lookups_past_the_limit_wait_with_429(session, rate_limit_clock):
    door = door_staff(session, "door")
    guesses = [door.post(DOOR, {"q": f"CODE{n:04d}"}).status_code for n in range(3)] + [
        door.get(DOOR, {"q": f"name {n}"}).status_code for n in range(2)
    ]
    assert guesses == [200] * 5

    refused = door.post(DOOR, {"q": "CODE9999"})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 120
    assertContains(refused, "Too many requests", status_code=429)
    assert door.get(DOOR).status_code == 200, "the page itself still opens"
    rate_limit_clock.advance(120)
    assert door.post(DOOR, {"q": "CODE9999"}).status_code == 200


@override_settings(MAJLIS_LIMIT_DOOR_LOOKUPS="3/1m")
def test_each_door_staff_member_has_their_own_count(session):
    first, second = door_staff(session, "first"), door_staff(session, "second")
    for _ in range(3):
        first.post(DOOR, {"q": "nobody"})
    assert first.post(DOOR, {"q": "nobody"}).status_code == 429
    assert second.post(DOOR, {"q": "nobody"}).status_code == 200


def test_a_busy_door_checking_in_one_delegate_a_second_is_not_held(session):
    door = door_staff(session, "door")
    people = ParticipantFactory.create_batch(60, event=session.event)
    answers = {door.post(DOOR, {"q": p.checkin_code}).status_code for p in people}
    assert answers == {200}


@override_settings(MAJLIS_LIMIT_DOOR_LOOKUPS="3/1m")
def test_seating_a_walk_in_is_a_lookup_too(session):
    """A walk-in is chosen by number and found by check-in code or whole name
    (door_participant): guesses that way count as the other lookups do."""
    door = door_staff(session, "door")
    elsewhere = ParticipantFactory(event=session.event)
    walk_in = {"action": "walk_in", "participant": elsewhere.pk}

    guesses = [
        door.post(DOOR, {**walk_in, "q": f"CODE{n:04d}"}).status_code for n in range(3)
    ]
    refused = door.post(DOOR, {**walk_in, "q": elsewhere.checkin_code})

    assert guesses == [404] * 3
    assert refused.status_code == 429
