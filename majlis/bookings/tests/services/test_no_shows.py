"""After the start, absent delegates' seats go to the waiting list and to
walk-ins; who released what is recorded."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from majlis.bookings.models import Booking
from majlis.bookings.services import (
    Actor,
    booking_check_in,
    booking_create,
    booking_walk_in,
    session_release_no_shows,
)
from majlis.core.exceptions import SessionFull, TooEarly
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def door():
    return Actor.organiser(
        User.objects.create_user("door", "door@example.org", "pw-123-long")
    )


@pytest.fixture
def started():
    """A demo-style event (booking stays open) whose session began 15 minutes ago."""
    event = EventFactory(is_demo=True)
    now = timezone.now()
    return SessionFactory(
        event=event,
        capacity=2,
        starts_at=now - timedelta(minutes=15),
        ends_at=now + timedelta(minutes=105),
        no_show_release_minutes=10,
    )


def test_absent_seats_go_to_the_waiting_list_and_the_release_is_audited(started, door):
    present, absent, waiting = ParticipantFactory.create_batch(3, event=started.event)
    for person in (present, absent, waiting):
        booking_create(participant=person, session=started, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
    booking_check_in(session=started, participant=present, actor=door)

    released = session_release_no_shows(session=started, actor=door)

    assert [b.participant_id for b in released] == [absent.pk]
    statuses = dict(Booking.objects.values_list("participant_id", "status"))
    assert statuses == {
        present.pk: "confirmed",
        absent.pk: "cancelled",
        waiting.pk: "confirmed",
    }
    change = Booking.objects.get(participant=absent).changes.last()
    assert (change.action, change.actor_user) == ("released_no_show", door.user)


def test_a_seat_given_by_a_release_is_not_released_by_the_next(started, door):
    """Those a release promotes from the waiting list have had no time to walk
    to the room: a second release right after leaves their seats; once they
    have had the minutes everyone had from the start, their seats go too."""
    absent = ParticipantFactory.create_batch(2, event=started.event)
    waiting = ParticipantFactory.create_batch(2, event=started.event)
    for person in absent + waiting:
        booking_create(participant=person, session=started, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start

    first = session_release_no_shows(session=started, actor=door)
    again = session_release_no_shows(session=started, actor=door)

    assert [b.participant for b in first] == absent
    assert again == []
    promoted = Booking.objects.filter(status="confirmed").order_by("pk")
    assert [b.participant for b in promoted] == waiting

    made_earlier(promoted, by=timedelta(minutes=10))
    later = session_release_no_shows(session=started, actor=door)

    assert [b.participant for b in later] == waiting


def test_a_seat_booked_after_the_start_has_the_same_grace(started, door):
    early, late = ParticipantFactory.create_batch(2, event=started.event)
    booking_create(participant=early, session=started, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
    booked = booking_create(participant=late, session=started, actor=Actor.delegate())

    assert session_release_no_shows(session=started, actor=door) == [
        Booking.objects.get(participant=early)
    ]
    made_earlier(Booking.objects.filter(pk=booked.pk), by=timedelta(minutes=9))
    assert session_release_no_shows(session=started, actor=door) == []
    made_earlier(Booking.objects.filter(pk=booked.pk), by=timedelta(minutes=1))
    assert session_release_no_shows(session=started, actor=door) == [booked]


def test_seats_cannot_be_released_before_the_rule_allows(started, door):
    started.starts_at = timezone.now() - timedelta(minutes=5)
    started.save()
    person = ParticipantFactory(event=started.event)
    booking_create(participant=person, session=started, actor=Actor.delegate())
    with pytest.raises(TooEarly):
        session_release_no_shows(session=started, actor=door)
    with pytest.raises(TooEarly):
        booking_walk_in(
            session=started,
            participant=ParticipantFactory(event=started.event),
            actor=door,
        )
    assert Booking.objects.get(participant=person).status == "confirmed"


def test_a_walk_in_gets_a_free_seat_and_is_checked_in(started, door):
    walk_in = ParticipantFactory(event=started.event)
    booking = booking_walk_in(session=started, participant=walk_in, actor=door)
    assert booking.status == "confirmed" and booking.checked_in_at is not None
    assert [c.action for c in booking.changes.all()] == ["walk_in", "checked_in"]


def test_no_walk_in_when_every_seat_is_taken(started, door):
    for person in ParticipantFactory.create_batch(2, event=started.event):
        booking_create(participant=person, session=started, actor=Actor.delegate())
    with pytest.raises(SessionFull):
        booking_walk_in(
            session=started,
            participant=ParticipantFactory(event=started.event),
            actor=door,
        )
