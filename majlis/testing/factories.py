"""Test data builders (factory_boy)."""

import zoneinfo
from datetime import datetime, timedelta

import factory
from django.utils import timezone

from majlis.accounts.models import Participant
from majlis.events.models import Event, Session

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


def afternoon(days_from_now: int = 30, hour: int = 16, minute: int = 30) -> datetime:
    """A future local time in Casablanca, so that booking windows are open."""
    day = (timezone.now() + timedelta(days=days_from_now)).astimezone(CASABLANCA).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CASABLANCA)


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    name_en = factory.Sequence(lambda n: f"Conference {n}")
    name_fr = factory.Sequence(lambda n: f"Conférence {n}")
    time_zone = "Africa/Casablanca"
    venue_en = "Marrakesh"


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"session-{n}")
    title_en = factory.Sequence(lambda n: f"Session {n}")
    title_fr = factory.Sequence(lambda n: f"Séance {n}")
    title_ar = factory.Sequence(lambda n: f"جلسة {n}")
    description_en = "A workshop."
    organisers = factory.LazyFunction(lambda: ["ILO"])
    room_en = "Atlas 1"
    starts_at = factory.LazyFunction(afternoon)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))
    capacity = 50
    has_waitlist = True


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    name = factory.Sequence(lambda n: f"Delegate {n}")
    organisation = "Ministry"
    constituency = "government"
    country = "MA"
    language = "en"
