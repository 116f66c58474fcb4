"""A delegate's data from "my sessions": downloaded as JSON, or their account
deleted after a confirmation step."""

import json

import pytest
from django.test import Client
from pytest_django.asserts import assertContains

from majlis.accounts.models import Participant
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_create
from majlis.site.tests.test_delegate_pages import sign_in, url
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def delegate(event):
    return ParticipantFactory(
        event=event, name="Amina Benali", email="amina@example.org"
    )


def test_my_sessions_offers_the_download_and_the_deletion(client, delegate):
    page = sign_in(client, delegate).get(url("my-sessions", event="casa"))
    assertContains(page, url("my-data", event="casa"))
    assertContains(page, url("delete-account", event="casa"))


def test_the_download_is_a_json_file_of_the_delegate_s_data(client, delegate, event):
    session = SessionFactory(event=event, code="targets")
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    answer = sign_in(client, delegate).get(url("my-data", event="casa"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer["Content-Disposition"].startswith("attachment;")
    data = json.loads(answer.content)
    assert data["delegate"]["email"] == "amina@example.org"
    assert [b["session"] for b in data["bookings"]] == ["targets"]


def test_the_download_and_the_deletion_need_a_signed_in_delegate(client):
    EventFactory(slug="casa")
    for name in ("my-data", "delete-account"):
        answer = client.get(url(name, event="casa"))
        assert answer.status_code == 302
        assert "/sign-in/" in answer["Location"]


def test_deleting_asks_first_then_cancels_passes_the_seat_on_and_signs_out(
    client, delegate, event
):
    session = SessionFactory(event=event, capacity=1)
    waiting = ParticipantFactory(event=event)
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    booking_create(participant=waiting, session=session, actor=Actor.delegate())
    other_browser = sign_in(Client(), delegate)
    sign_in(client, delegate)

    confirmation = client.get(url("delete-account", event="casa"))
    assertContains(confirmation, "Delete my account for good")
    assert Participant.objects.get(pk=delegate.pk).erased_at is None  # asked only

    done = client.post(url("delete-account", event="casa"), follow=True)

    assertContains(done, "Your account is deleted")
    assert Booking.objects.get(participant=waiting).status == BookingStatus.CONFIRMED
    assert Participant.objects.get(pk=delegate.pk).erased_at is not None
    # Signed out here, and on any other browser too.
    for browser in (client, other_browser):
        answer = browser.get(url("my-sessions", event="casa"))
        assert answer.status_code == 302
        assert "/sign-in/" in answer["Location"]


def test_the_confirmation_page_speaks_arabic(client, delegate):
    page = sign_in(client, delegate).get(url("delete-account", lang="ar", event="casa"))
    assert page.status_code == 200
    assert 'lang="ar"' in page.content.decode()
    assert "Delete my account" not in page.content.decode()
