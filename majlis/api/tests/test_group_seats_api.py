"""``GET /me/bookings`` gives each booking's tables once the session's groups
are published: round, table, topic in the request's language, host."""

import pytest
from django.contrib.auth.models import User

from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.groups import services
from majlis.groups.models import GroupSeat
from majlis.testing.factories import ParticipantFactory, SessionFactory

from .helpers import API, my_bookings

pytestmark = pytest.mark.django_db
TOPICS = [{"en": "Jobs", "fr": "Emplois"}, {"en": "Skills", "fr": "Compétences"}]


@pytest.fixture
def organiser():
    return User.objects.create_user("organiser")


def test_my_bookings_give_the_published_tables_of_each_round(
    client, event, delegate, as_delegate, organiser
):
    cafe = SessionFactory(event=event, code="cafe", capacity=20)
    for participant in [delegate, *ParticipantFactory.create_batch(5, event=event)]:
        booking_create(participant=participant, session=cafe, actor=Actor.delegate())
    plan = services.plan_groups(
        actor=organiser, session=cafe, kind="cafe", tables=2, rounds=2
    )
    assert my_bookings(client, as_delegate)["cafe"]["seats"] == []  # a draft

    services.publish(actor=organiser, plan=plan)
    mine = Booking.objects.get(participant=delegate, session=cafe)
    tables = [GroupSeat.objects.get(booking=mine, round=r).table for r in (1, 2)]
    assert my_bookings(client, as_delegate)["cafe"]["seats"] == [
        {"round": 1, "table": tables[0], "topic": "", "host": False},
        {"round": 2, "table": tables[1], "topic": "", "host": False},
    ]

    booking_cancel(booking=mine, actor=Actor.delegate())
    assert my_bookings(client, as_delegate)["cafe"]["seats"] == []


def test_a_working_group_s_topic_comes_in_the_request_s_language(
    client, event, delegate, as_delegate, organiser
):
    groups = SessionFactory(event=event, code="groups", capacity=20)
    for participant in [delegate, *ParticipantFactory.create_batch(3, event=event)]:
        booking_create(participant=participant, session=groups, actor=Actor.delegate())
    services.set_topics(actor=organiser, session=groups, topics=TOPICS)
    plan = services.plan_groups(actor=organiser, session=groups, kind="topics")
    services.publish(actor=organiser, plan=plan)
    table = GroupSeat.objects.get(booking__participant=delegate).table

    response = client.get(
        f"{API}/me/bookings", headers={**as_delegate, "Accept-Language": "fr"}
    )

    [booking] = response.json()["bookings"]
    assert booking["seats"] == [
        {"round": 1, "table": table, "topic": TOPICS[table - 1]["fr"], "host": False}
    ]


def test_the_seats_are_documented_in_the_openapi_schema(client):
    schema = client.get(f"{API}/openapi.json").json()
    booking = schema["components"]["schemas"]["MyBookingOut"]
    assert "seats" in booking["properties"]
    assert "seats" not in booking.get("required", [])
    seat = schema["components"]["schemas"]["SeatOut"]
    assert set(seat["properties"]) == {"round", "table", "topic", "host"}
