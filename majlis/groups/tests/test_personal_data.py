"""What groups hold about a delegate is theirs: their topic choices and
published tables are in their data download, and their topic choices go with
their personal data (account deleted, or the event erased after it ended),
while their seats stay on bookings that stay anonymous."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from majlis.bookings.models import Booking
from majlis.bookings.personal_data import (
    event_erase_personal_data,
    participant_data_export,
    participant_delete_account,
)
from majlis.bookings.services import Actor, booking_create
from majlis.groups import services
from majlis.groups.models import GroupSeat, TopicPreference
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
TOPICS = [{"en": "Jobs", "fr": "Emplois"}, {"en": "Skills", "fr": "Compétences"}]


@pytest.fixture
def organiser():
    return User.objects.create_user("organiser")


def working_groups(organiser, people: int = 6):
    """A session of working groups on two topics, each of its ``people``
    having chosen topic 2 then 1; and another session of the same event whose
    delegates chose too, unplanned."""
    event = EventFactory()
    session = SessionFactory(event=event, code="topics", capacity=50)
    later = SessionFactory(
        event=event,
        code="later",
        starts_at=session.ends_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=3),
    )
    participants = ParticipantFactory.create_batch(people, event=event, language="fr")
    for participant in participants:
        for each in (session, later):
            booking_create(
                participant=participant, session=each, actor=Actor.delegate()
            )
    for each in (session, later):
        services.set_topics(actor=organiser, session=each, topics=TOPICS)
        for participant in participants:
            services.set_topic_preference(
                participant=participant, session=each, choices=[2, 1]
            )
    return session, participants


def test_the_download_holds_the_topic_choices_and_only_published_tables(organiser):
    session, people = working_groups(organiser)
    amina = people[0]
    plan = services.plan_groups(actor=organiser, session=session, kind="topics")

    draft = participant_data_export(participant=amina)
    assert draft["group_seats"] == []
    assert [p["session"] for p in draft["topic_preferences"]] == ["topics", "later"]
    assert draft["topic_preferences"][0]["choices"] == [
        {"table": 2, "topic": "Compétences"},
        {"table": 1, "topic": "Emplois"},
    ]

    services.publish(actor=organiser, plan=plan)
    data = participant_data_export(participant=amina)
    booking = Booking.objects.get(participant=amina, session=session)
    seat = GroupSeat.objects.get(booking=booking)
    assert data["group_seats"] == [
        {
            "booking": booking.pk,
            "session": "topics",
            "round": 1,
            "table": seat.table,
            "topic": TOPICS[seat.table - 1]["fr"],
            "host": False,
        }
    ]
    json.dumps(data, cls=DjangoJSONEncoder)


def test_deleting_an_account_deletes_its_topic_choices_and_keeps_others(organiser):
    session, people = working_groups(organiser)
    services.plan_groups(actor=organiser, session=session, kind="topics")
    leaving, staying = people[0], people[1]

    participant_delete_account(participant=leaving)

    assert not TopicPreference.objects.filter(participant=leaving).exists()
    assert TopicPreference.objects.filter(participant=staying).count() == 2
    # The seat stays on the booking, whose delegate is now anonymous.
    seat = GroupSeat.objects.get(booking__participant=leaving)
    assert seat.booking.participant.name == ""
    assert seat.booking.participant.email.endswith("@erased.invalid")


def test_erasing_the_event_deletes_every_topic_choice_and_keeps_the_tables(organiser):
    session, people = working_groups(organiser)
    plan = services.plan_groups(actor=organiser, session=session, kind="topics")
    services.publish(actor=organiser, plan=plan)
    elsewhere = ParticipantFactory(language="en")
    other_session = SessionFactory(event=elsewhere.event)
    booking_create(participant=elsewhere, session=other_session, actor=Actor.delegate())
    services.set_topics(actor=organiser, session=other_session, topics=TOPICS)
    services.set_topic_preference(
        participant=elsewhere, session=other_session, choices=[1]
    )
    seats = GroupSeat.objects.filter(plan=plan).count()
    past = timezone.now() - timedelta(days=2)
    session.event.sessions.update(starts_at=past, ends_at=past + timedelta(hours=2))

    assert event_erase_personal_data(event=session.event) == len(people)

    assert list(TopicPreference.objects.values_list("participant", flat=True)) == [
        elsewhere.pk
    ]
    assert GroupSeat.objects.filter(plan=plan).count() == seats
    data = participant_data_export(participant=people[0])
    assert data["topic_preferences"] == []
    assert len(data["group_seats"]) == 1
