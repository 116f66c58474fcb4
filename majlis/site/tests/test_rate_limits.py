"""The delegates' pages under their rate limits: a translated page, status 429
with Retry-After; limits by address only for those not signed in."""

import uuid

import pytest
from django.test import Client, override_settings
from pytest_django.asserts import assertContains

from majlis.bookings.models import Booking
from majlis.site.tests.test_delegate_pages import sign_in, url
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return SessionFactory(event=EventFactory(slug="casa"), code="s", capacity=50)


def book(client: Client, session, **headers):
    """Send the booking form, as from a page opened before (its own token)."""
    return client.post(
        url("book", event="casa", code=session.code),
        {"form_token": uuid.uuid4().hex},
        headers=headers,
    )


def cancel(client: Client, booking: Booking):
    return client.post(
        url("cancel", event="casa", booking_id=booking.pk), {"confirm": "1"}
    )


@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="4/1m")
def test_booking_and_cancelling_too_fast_shows_the_wait_page(
    client, session, rate_limit_clock
):
    delegate = ParticipantFactory(event=session.event)
    sign_in(client, delegate)
    for _ in range(2):
        assert book(client, session).status_code == 302
        assert (
            cancel(
                client, Booking.objects.filter(participant=delegate).last()
            ).status_code
            == 302
        )

    refused = book(client, session)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 120
    assertContains(refused, "Please wait a moment", status_code=429)
    assertContains(refused, "Too many requests: please try again in", status_code=429)
    rate_limit_clock.advance(120)
    assert book(client, session).status_code == 302


@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="1/1m")
def test_the_wait_page_speaks_the_pages_language(client, session):
    sign_in(client, ParticipantFactory(event=session.event))
    book(client, session)
    refused = client.post(
        url("book", lang="ar", event="casa", code="s"),
        {"form_token": uuid.uuid4().hex},
    )
    assert refused.status_code == 429
    assertContains(refused, 'dir="rtl"', status_code=429)
    assertContains(refused, "يرجى الانتظار قليلًا", status_code=429)


@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="1/1m")
def test_a_form_sent_by_htmx_gets_the_message_in_place_of_the_page(client, session):
    sign_in(client, ParticipantFactory(event=session.event))
    book(client, session, HX_Request="true")

    refused = book(client, session, HX_Request="true")

    assert refused.status_code == 429
    assert refused["HX-Retarget"] == "#main"
    assert refused["HX-Reselect"] == "#main"
    assertContains(refused, '<main id="main"', status_code=429)


@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="1/1m")
def test_access_needs_count_as_a_change(client, session):
    delegate = ParticipantFactory(event=session.event)
    sign_in(client, delegate)
    book(client, session)
    booking = Booking.objects.get(participant=delegate)

    refused = client.post(
        url("change-access-needs", event="casa", booking_id=booking.pk),
        {"access_needs": ["wheelchair"]},
    )

    assert refused.status_code == 429
    booking.refresh_from_db()
    assert booking.access_needs == []


@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="2/1m")
def test_delegates_signed_in_at_one_venue_are_not_limited_together(session):
    for delegate in ParticipantFactory.create_batch(10, event=session.event):
        browser = sign_in(Client(REMOTE_ADDR="192.0.2.1"), delegate)
        assert book(browser, session).status_code == 302
        booking = Booking.objects.get(participant=delegate)
        assert cancel(browser, booking).status_code == 302
    assert Booking.objects.filter(session=session).count() == 10
