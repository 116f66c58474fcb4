"""``Session.waitlist_length`` is kept by a database trigger: it follows every
change of a booking's status, through the services or not."""

import pytest

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    booking_move,
    session_set_capacity,
)
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

ME = Actor.delegate()


def waiting(session) -> int:
    session.refresh_from_db()
    counted = Booking.objects.filter(
        session=session, status=BookingStatus.WAITLISTED
    ).count()
    assert session.waitlist_length == counted, "the counter drifted from the rows"
    return counted


def test_the_counter_follows_joining_promotion_cancellation_and_moves():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    elsewhere = SessionFactory(event=event, capacity=5, starts_at=session.ends_at)
    first, second, third, fourth = ParticipantFactory.create_batch(4, event=event)
    seat = booking_create(participant=first, session=session, actor=ME)
    line = [
        booking_create(participant=person, session=session, actor=ME)
        for person in (second, third, fourth)
    ]
    assert waiting(session) == 3

    booking_cancel(booking=seat, actor=ME)  # the first in line is promoted
    assert waiting(session) == 2
    booking_cancel(booking=line[2], actor=ME)  # one leaves the line
    assert waiting(session) == 1
    session_set_capacity(session=session, capacity=2, actor=Actor.system())
    assert waiting(session) == 0
    booking_create(participant=fourth, session=session, actor=ME)
    assert waiting(session) == 1

    waiting_booking = Booking.objects.get(
        participant=fourth, session=session, status=BookingStatus.WAITLISTED
    )
    booking_move(booking=waiting_booking, to_session=elsewhere, actor=Actor.system())
    assert waiting(session) == 0
    assert waiting(elsewhere) == 0


def test_a_writer_that_skips_the_services_is_counted_too():
    session = SessionFactory(capacity=1)
    people = ParticipantFactory.create_batch(3, event=session.event)
    Booking.objects.create(
        participant=people[0],
        session=session,
        status=BookingStatus.WAITLISTED,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        created_at=session.starts_at,
    )
    assert waiting(session) == 1
    Booking.objects.filter(session=session).update(status=BookingStatus.CANCELLED)
    assert waiting(session) == 0
    Booking.objects.filter(session=session).delete()
    assert waiting(session) == 0
