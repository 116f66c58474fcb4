"""Calendar entries, read back with the icalendar library: a seat has one, a
place on a waiting list none; the event organises each; and one private,
revocable subscription lists all of a delegate's seats."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from majlis.accounts.models import CalendarFeed, hash_secret
from majlis.accounts.services import calendar_feed_issue
from majlis.bookings.calendar import booking_ics
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import render_message
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

ME = Actor.delegate()


@pytest.fixture
def event():
    return EventFactory(name_en="Future of Work", name_fr="Avenir du travail")


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event, language="fr")


def signed_in(client: Client, participant) -> Client:
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
    return client


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def full_session(event, **kwargs):
    """A session whose one seat someone else holds."""
    session = SessionFactory(event=event, capacity=1, **kwargs)
    booking_create(
        participant=ParticipantFactory(event=event), session=session, actor=ME
    )
    return session


def events_in(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def assert_organised_by_the_event(entry, event_name: str) -> None:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert str(entry["ORGANIZER"]) == f"mailto:{address}"
    assert entry["ORGANIZER"].params["CN"] == event_name


# A booking's own file, and the email's


def test_a_waiting_place_has_no_calendar_entry(client, event, delegate):
    waiting = booking_create(
        participant=delegate, session=full_session(event), actor=ME
    )
    assert waiting.status == BookingStatus.WAITLISTED
    with pytest.raises(ValueError):
        booking_ics(waiting, title="t", description="d")

    signed_in(client, delegate)
    page = client.get(url("my-sessions", event=event.slug))
    calendar_link = url("booking-calendar", event=event.slug, booking_id=waiting.pk)
    assert calendar_link not in page.content.decode()
    assert client.get(calendar_link).status_code == 404


@pytest.mark.parametrize("cancelled", [False, True], ids=["publish", "cancel"])
def test_the_event_organises_each_entry(event, delegate, cancelled, settings):
    settings.DEFAULT_FROM_EMAIL = "Secretariat <desk@conference.example>"
    session = SessionFactory(event=event)
    booking = booking_create(participant=delegate, session=session, actor=ME)
    if cancelled:
        booking = booking_cancel(booking=booking, actor=ME)
    with translation.override("fr"):
        ics = booking_ics(booking, title=session.title, description="")
    calendar = Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == ("CANCEL" if cancelled else "PUBLISH")
    [entry] = calendar.walk("VEVENT")
    assert str(entry["STATUS"]) == ("CANCELLED" if cancelled else "CONFIRMED")
    assert str(entry["ORGANIZER"]) == "mailto:desk@conference.example"
    assert entry["ORGANIZER"].params["CN"] == "Avenir du travail"


def test_the_promotion_email_carries_the_confirmed_entry(event, delegate):
    session = SessionFactory(event=event, capacity=1)
    holder = booking_create(
        participant=ParticipantFactory(event=event), session=session, actor=ME
    )
    waiting = booking_create(participant=delegate, session=session, actor=ME)
    joined = OutboxMessage.objects.get(
        kind="booking_waitlisted", to_email=delegate.email
    )
    assert not [
        a for a in render_message(joined).attachments if "calendar" in str(a[2])
    ]

    booking_cancel(booking=holder, actor=ME)

    promoted = OutboxMessage.objects.get(
        kind="booking_promoted", to_email=delegate.email
    )
    email = render_message(promoted)
    [(filename, ics, _mimetype)] = [
        a for a in email.attachments if str(a[2]).startswith("text/calendar")
    ]
    assert filename.endswith(".ics")
    calendar = Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [entry] = calendar.walk("VEVENT")
    assert str(entry["UID"]).startswith(f"booking-{waiting.pk}@")
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["SUMMARY"]) == session.title_fr
    assert_organised_by_the_event(entry, "Avenir du travail")


# The subscription


def feed(client: Client, token: str):
    return client.get(url("calendar-feed", token=token))


def test_the_subscription_lists_the_seats_only(client, event, delegate):
    seat = SessionFactory(event=event)
    later = SessionFactory(
        event=event,
        starts_at=seat.starts_at + timedelta(days=1),
        ends_at=seat.ends_at + timedelta(days=1),
    )
    dropped = SessionFactory(
        event=event,
        starts_at=seat.starts_at + timedelta(days=2),
        ends_at=seat.ends_at + timedelta(days=2),
    )
    waiting_in = full_session(
        event,
        starts_at=seat.starts_at + timedelta(days=3),
        ends_at=seat.ends_at + timedelta(days=3),
    )
    kept = [
        booking_create(participant=delegate, session=s, actor=ME) for s in (seat, later)
    ]
    booking_cancel(
        booking=booking_create(participant=delegate, session=dropped, actor=ME),
        actor=ME,
    )
    booking_create(participant=delegate, session=waiting_in, actor=ME)
    booking_create(participant=ParticipantFactory(event=event), session=seat, actor=ME)
    token = calendar_feed_issue(participant=delegate)

    response = feed(client, token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]).startswith("Avenir du travail")
    entries = calendar.walk("VEVENT")
    assert sorted(str(e["UID"]).split("@")[0] for e in entries) == sorted(
        f"booking-{b.pk}" for b in kept
    )
    for entry in entries:
        assert str(entry["STATUS"]) == "CONFIRMED"
        assert_organised_by_the_event(entry, "Avenir du travail")
    # In the delegate's language, whoever asks.
    assert {str(e["SUMMARY"]) for e in entries} == {seat.title_fr, later.title_fr}


def test_a_new_address_stops_the_old_one_and_only_its_hash_is_kept(
    client, event, delegate
):
    booking_create(participant=delegate, session=SessionFactory(event=event), actor=ME)
    old = calendar_feed_issue(participant=delegate)
    new = calendar_feed_issue(participant=delegate)

    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200
    stored = CalendarFeed.objects.get(participant=delegate)
    assert stored.token_hash == hash_secret(new)
    assert not CalendarFeed.objects.filter(token_hash__in=[old, new]).exists()
    for unknown in ("mjc_nothing", "nothing", hash_secret(new)):
        assert feed(client, unknown).status_code == 404


def test_my_sessions_offers_the_subscription_and_shows_the_address_once(
    client, event, delegate
):
    booking_create(participant=delegate, session=SessionFactory(event=event), actor=ME)
    signed_in(client, delegate)
    issue = url("calendar-feed-issue", event=event.slug)
    page = client.get(url("my-sessions", event=event.slug)).content.decode()
    assert f'action="{issue}"' in page

    shown = client.post(issue)

    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    webcal, web = shown.context["webcal"], shown.context["web"]
    assert webcal.startswith("webcal://") and web.startswith(settings.BASE_URL)
    assert webcal.split("://", 1)[1] == web.split("://", 1)[1]
    html = shown.content.decode()
    assert f'href="{webcal}"' in html and f'value="{web}"' in html
    token = web.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed(client, token).status_code == 200

    again = client.post(issue)
    assert feed(client, token).status_code == 404
    assert again.context["web"] != web

    client.post(issue, {"stop": "1"})
    token = again.context["web"].rsplit("/", 1)[1].removesuffix(".ics")
    assert feed(client, token).status_code == 404
    assert not CalendarFeed.objects.filter(participant=delegate).exists()


def test_only_a_signed_in_delegate_makes_an_address(client, event, delegate):
    response = client.post(url("calendar-feed-issue", event=event.slug))
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client.get(url("calendar-feed-issue", event=event.slug)).status_code in {
        302,
        405,
    }
    assert Booking.objects.count() == 0
