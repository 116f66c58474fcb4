"""A delegate's action that cannot be undone asks first and says what it will
do; a switch says which seat it released; every page says who is signed in."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_create
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def session(event):
    return SessionFactory(
        event=event, code="work", title_en="Future of work", capacity=1
    )


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event, name="Amina Haddad")


@pytest.fixture
def signed_in(client: Client, delegate) -> Client:
    store = client.session
    store[SESSION_KEY] = delegate.pk
    store.save()
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_cancelling_asks_first_and_says_the_seat_goes_to_the_waiting_list(
    signed_in, session, delegate
):
    booking = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )
    cancel = url("cancel", event="casa", booking_id=booking.pk)

    shown = signed_in.get(cancel)
    assertContains(shown, "Cancel your booking?")
    assertContains(shown, "<h1><bdi>Future of work</bdi></h1>", html=True)
    # The zone as people name it, as the session page says it.
    assertContains(shown, "(Morocco Time, GMT+1)")
    assertNotContains(shown, "Africa/Casablanca")
    assertContains(
        shown,
        'Your seat in "<bdi>Future of work</bdi>" will be released: the first '
        "person on the waiting list gets it",
    )
    assertContains(shown, '<input type="hidden" name="confirm" value="1">')
    assertContains(shown, "Yes, cancel my booking")
    assertContains(shown, f'href="{url("session-detail", event="casa", code="work")}"')

    # The session page's button, sent without the confirmation, shows the same.
    unconfirmed = signed_in.post(cancel)
    assert unconfirmed.status_code == 200
    assertContains(unconfirmed, "Cancel your booking?")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    done = signed_in.post(cancel, {"confirm": "1"}, follow=True)
    assert messages_of(done) == ["Your booking is cancelled."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert done.redirect_chain[-1][0] == url(
        "session-detail", event="casa", code="work"
    )


def test_leaving_a_waiting_list_asks_first_and_names_the_place_in_line(
    signed_in, event, session, delegate
):
    booking_create(
        participant=ParticipantFactory(event=event),
        session=session,
        actor=Actor.delegate(),
    )
    waiting = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )
    cancel = url("cancel", event="casa", booking_id=waiting.pk)

    shown = signed_in.get(cancel + "?back=mine")
    assertContains(shown, "Leave the waiting list?")
    assertContains(shown, "where you are number 1 in line")
    assertContains(shown, '<input type="hidden" name="back" value="mine">')
    assertContains(shown, f'href="{url("my-sessions", event="casa")}"')
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED

    signed_in.post(cancel, {"back": "mine", "confirm": "yes please"})
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED

    done = signed_in.post(cancel, {"back": "mine", "confirm": "1"})
    assert done.url == url("my-sessions", event="casa")
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CANCELLED


def test_the_confirmation_is_in_the_delegates_language(signed_in, session, delegate):
    booking = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )
    shown = signed_in.get(url("cancel", "ar", event="casa", booking_id=booking.pk))
    with translation.override("ar"):
        assertContains(shown, translation.gettext("Yes, cancel my booking"))
    assertNotContains(shown, "Yes, cancel my booking")


def test_a_cancelled_booking_is_not_asked_about_again(signed_in, session, delegate):
    booking = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )
    cancel = url("cancel", event="casa", booking_id=booking.pk)
    signed_in.post(cancel, {"confirm": "1"}, follow=True)
    again = signed_in.get(cancel, follow=True)
    assert messages_of(again) == ["This booking is already cancelled."]


def test_another_delegates_booking_cannot_be_asked_about(client, event, session):
    theirs = booking_create(
        participant=ParticipantFactory(event=event),
        session=session,
        actor=Actor.delegate(),
    )
    me = ParticipantFactory(event=event)
    store = client.session
    store[SESSION_KEY] = me.pk
    store.save()
    assert (
        client.get(url("cancel", event="casa", booking_id=theirs.pk)).status_code == 404
    )


def test_a_switch_says_which_seat_it_released(signed_in, event, session, delegate):
    same_time = SessionFactory(
        event=event,
        code="lab",
        title_en="Policy lab",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    held = booking_create(participant=delegate, session=session, actor=Actor.delegate())

    switched = signed_in.post(
        url("book", event="casa", code="lab"),
        {"switch": "1", "form_token": "e" * 32},
        follow=True,
    )

    assert messages_of(switched) == [
        "Your seat is booked, and your seat in &quot;<bdi>Future of work</bdi>&quot;"
        " was released. "
        "A confirmation is on its way by email."
    ]
    held.refresh_from_db()
    assert held.status == BookingStatus.CANCELLED
    assert Booking.objects.get(participant=delegate, session=same_time).status == (
        BookingStatus.CONFIRMED
    )


def test_a_plain_booking_names_no_released_seat(signed_in, session):
    booked = signed_in.post(
        url("book", event="casa", code="work"), {"form_token": "f" * 32}, follow=True
    )
    assert messages_of(booked) == [
        "Your seat is booked. A confirmation is on its way by email."
    ]


def test_the_pages_say_who_is_signed_in_next_to_sign_out(signed_in, client, session):
    page = signed_in.get(url("programme", event="casa")).content.decode()
    label = '<li class="signed-in">Signed in as <bdi>Amina Haddad</bdi></li>'
    assert label in page
    assert page.index(label) < page.index("Sign out")
    signed_in.post(url("sign-out", event="casa"))
    assert (
        "Signed in as"
        not in client.get(url("programme", event="casa")).content.decode()
    )


def test_a_delegate_without_a_name_is_shown_by_address(client, event):
    nameless = ParticipantFactory(event=event, name="", email="x@example.org")
    store = client.session
    store[SESSION_KEY] = nameless.pk
    store.save()
    page = client.get(url("programme", event="casa")).content.decode()
    assert "Signed in as <bdi>x@example.org</bdi>" in page
