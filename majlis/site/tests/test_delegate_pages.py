"""The delegates' pages through Django's test client: the programme, the session
pages and booking, cancelling and "my sessions" while signed in."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.events.models import Session
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
DEMO_BANNER = "This is a demonstration"
BOOKED = "Your seat is booked. A confirmation is on its way by email."
CANCELLED = "Your booking is cancelled."
SWITCHED = (
    "Your seat is booked, and your seat in &quot;<bdi>Future of work</bdi>&quot;"
    " was released. "
    "A confirmation is on its way by email."
)


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def sign_in(client: Client, participant) -> Client:
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
    return client


def form_token(response) -> str:
    found = re.search(
        r'<input type="hidden" name="form_token" value="([0-9a-f]{32})">',
        response.content.decode(),
    )
    assert found, "the session page must offer a booking form"
    return found.group(1)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def sections_by_day(html: str) -> list[tuple[str, list[str]]]:
    """(day heading, session titles) for each day of the programme, in order."""
    days = []
    for section in re.findall(
        r'<section aria-labelledby="day-\d+">(.*?)</section>', html, re.S
    ):
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1)
        titles = re.findall(r"<h3><a [^>]*><bdi>(.*?)</bdi></a></h3>", section)
        days.append((heading.strip(), titles))
    return days


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def session(event):
    return SessionFactory(event=event, code="future-of-work", title_en="Future of work")


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event, name="Amina")


@pytest.fixture
def signed_in(client, delegate):
    return sign_in(client, delegate)


def book_through_page(client: Client, session: Session, **extra):
    page = client.get(
        url("session-detail", event=session.event.slug, code=session.code)
    )
    data = {"form_token": form_token(page), **extra}
    return client.post(
        url("book", event=session.event.slug, code=session.code), data, follow=True
    )


# The programme


def test_the_root_redirects_to_the_language_then_to_the_only_programme(client, event):
    assertRedirects(client.get("/"), "/en/", fetch_redirect_response=False)
    assertRedirects(client.get("/en/"), url("programme", event=event.slug))


def test_with_several_events_the_home_page_lists_them(client, event):
    other = EventFactory(slug="rabat", name_en="Rabat forum")
    response = client.get("/en/")
    assert response.status_code == 200
    assertContains(response, f'href="{url("programme", event=event.slug)}"')
    assertContains(response, f'href="{url("programme", event=other.slug)}"')


def test_the_programme_groups_sessions_by_local_day_with_local_times(client):
    event = EventFactory(slug="tokyo", time_zone="Asia/Tokyo")
    day = (timezone.now() + timedelta(days=30)).astimezone(TOKYO).date()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO) + (
            timedelta(days=days)
        )

    # 08:00 in Tokyo is still the day before in UTC.
    SessionFactory(event=event, title_fr="Breakfast", starts_at=at(0, 8))
    SessionFactory(event=event, title_fr="Afternoon", starts_at=at(0, 16, 30))
    SessionFactory(event=event, title_fr="Next morning", starts_at=at(1, 10))

    response = client.get(url("programme", lang="fr", event=event.slug))

    html = response.content.decode()
    with translation.override("fr"):
        headings = [dateformat.format(d, "l j F Y") for d in (day, at(1, 10).date())]
    assert sections_by_day(html) == [
        (headings[0], ["Breakfast", "Afternoon"]),
        (headings[1], ["Next morning"]),
    ]
    assert ">16:30</time>\N{EN DASH}<time" in html
    assert ">08:00</time>" in html
    assert f'datetime="{at(0, 16, 30).isoformat()}"' in html
    assert "07:30" not in html, "times must not be shown in UTC"
    english = client.get(url("programme", event=event.slug)).content.decode()
    assert re.search(r">(16:30|4:30\s*p\.m\.)</time>", english)


def test_the_programme_shows_the_seats_left(client, event, delegate):
    SessionFactory(event=event, title_en="Roomy", capacity=40)
    one_left = SessionFactory(event=event, title_en="Nearly full", capacity=2)
    full = SessionFactory(event=event, title_en="Packed", capacity=1)
    no_queue = SessionFactory(event=event, capacity=1, has_waitlist=False)
    others = ParticipantFactory.create_batch(3, event=event)
    for who, where in zip(others, [one_left, no_queue, full], strict=True):
        booking_create(participant=who, session=where, actor=Actor.delegate())
    booking_create(participant=delegate, session=full, actor=Actor.delegate())

    response = client.get(url("programme", event=event.slug))

    assertContains(response, "40 seats left")
    assertContains(response, "1 seat left")
    assertContains(response, "Full · 1 person waiting")
    assertContains(response, "Full", count=2)


def test_the_programme_marks_the_sessions_i_booked(signed_in, event, session, delegate):
    SessionFactory(event=event, starts_at=session.ends_at + timedelta(hours=1))
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    response = signed_in.get(url("programme", event=event.slug))
    assertContains(response, '<span class="badge badge-confirmed">Confirmed</span>', 1)
    assertContains(response, "My sessions")
    assertNotContains(response, "Sign in with your registered email")


def test_the_demo_banner_shows_only_for_a_demo_event(client, event):
    demo = EventFactory(slug="demo", is_demo=True)
    assertNotContains(client.get(url("programme", event=event.slug)), DEMO_BANNER)
    assertContains(client.get(url("programme", event=demo.slug)), DEMO_BANNER)


@pytest.mark.parametrize(
    ("lang", "direction", "title"),
    [("en", "ltr", "Future of work"), ("fr", "ltr", "Séance"), ("ar", "rtl", "جلسة")],
)
def test_the_pages_answer_in_each_language(client, session, lang, direction, title):
    for page in (
        url("programme", lang=lang, event=session.event.slug),
        url("session-detail", lang=lang, event=session.event.slug, code=session.code),
    ):
        assert page.startswith(f"/{lang}/")
        response = client.get(page)
        assert response.status_code == 200
        assertContains(response, f'<html lang="{lang}" dir="{direction}">')
        assertContains(response, title)


@pytest.mark.parametrize(
    "path",
    [
        "/en/e/nowhere/",
        "/en/e/nowhere/s/future-of-work/",
        "/en/e/casa/s/no-such-session/",
        "/en/e/nowhere/me/",
        "/en/e/nowhere/sign-in/",
        "/ar/e/nowhere/",
    ],
)
def test_an_unknown_event_or_session_is_not_found(client, session, path):
    assert client.get(path).status_code == 404


def test_a_session_of_another_event_is_not_found_here(client, session):
    elsewhere = SessionFactory(code="elsewhere")
    response = client.get(url("session-detail", event="casa", code=elsewhere.code))
    assert response.status_code == 404


# Booking through the pages


def test_booking_a_seat_confirms_it_and_says_so(signed_in, session, delegate):
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    assertContains(page, "Book a seat")

    response = book_through_page(
        signed_in,
        session,
        access_needs=["wheelchair", "other"],
        access_needs_note="Step-free access",
    )

    assertRedirects(response, url("session-detail", event="casa", code=session.code))
    assert page_messages(response) == [BOOKED]
    assertContains(response, BOOKED)
    assertContains(response, '<span class="badge badge-confirmed">Confirmed</span>')
    booking = Booking.objects.get(participant=delegate, session=session)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.access_needs == ["wheelchair", "other"]
    assert booking.access_needs_note == "Step-free access"


HTMX = {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "booking-area"}


def test_a_booking_sent_by_htmx_is_answered_with_the_area_it_swaps(
    signed_in, session, delegate
):
    """The page's booking area posts through htmx, which swaps the area, the
    status region and the seats from the answer: they come in the answer,
    with no redirect to load the whole page again."""
    page = signed_in.get(url("session-detail", event="casa", code=session.code))

    answer = signed_in.post(
        url("book", event="casa", code=session.code),
        {"form_token": form_token(page)},
        headers=HTMX,
    )

    assert answer.status_code == 200
    html = answer.content.decode()
    assert '<section id="booking-area"' in html
    assert '<div id="messages"' in html and BOOKED in html
    assert f'<p id="seats-{session.code}"' in html
    assert '<span class="badge badge-confirmed">Confirmed</span>' in html
    assert "<html" not in html and "site-header" not in html
    assert Booking.objects.get(participant=delegate).status == BookingStatus.CONFIRMED
    # Said once: the next page shows no message again.
    again = signed_in.get(url("session-detail", event="casa", code=session.code))
    assert page_messages(again) == []


@pytest.mark.usefixtures("on_postgres", "programme_cache")
def test_a_booking_sent_by_htmx_reads_what_its_answer_shows(
    signed_in, session, delegate, settings, django_assert_num_queries
):
    """The web session, the delegate, the booking's one statement, then the
    session with its seats, the delegate's bookings and the group plan: the
    event comes from the process's memory, as on every delegate's page."""
    settings.MAJLIS_PROGRAMME_FRESH_SECONDS = 3
    signed_in.get(url("my-sessions", event="casa"))  # the event, read by another page
    page = signed_in.get(url("session-detail", event="casa", code=session.code))

    with django_assert_num_queries(6):
        answer = signed_in.post(
            url("book", event="casa", code=session.code),
            {"form_token": form_token(page)},
            headers=HTMX,
        )
    assertContains(answer, "49 seats left")


def test_a_refusal_sent_by_htmx_is_said_in_the_area(signed_in, session, delegate):
    """A form sent from a page shown before the delegate booked elsewhere (a
    second tab): the refusal is said in the status region, and the area
    shows the booking they hold."""
    booking_create(participant=delegate, session=session, actor=Actor.delegate())

    answer = signed_in.post(
        url("book", event="casa", code=session.code),
        {"form_token": "f" * 32},
        headers=HTMX,
    )

    assert answer.status_code == 200
    html = answer.content.decode()
    assert (
        '<p class="message message-error">You already have a booking for this session.</p>'
        in html
    )
    assert '<span class="badge badge-confirmed">Confirmed</span>' in html
    assert Booking.objects.filter(participant=delegate).count() == 1


def test_another_htmx_target_still_gets_the_redirect(signed_in, session):
    page = signed_in.get(url("session-detail", event="casa", code=session.code))

    answer = signed_in.post(
        url("book", event="casa", code=session.code),
        {"form_token": form_token(page)},
        headers={**HTMX, "HX-Target": "main"},
    )

    assertRedirects(
        answer,
        url("session-detail", event="casa", code=session.code),
        fetch_redirect_response=False,
    )


def test_a_delegate_changes_their_access_needs_from_my_sessions(
    signed_in, session, delegate
):
    book_through_page(signed_in, session)
    booking = Booking.objects.get(participant=delegate, session=session)
    page = signed_in.get(url("my-sessions", event="casa"))
    assertContains(page, "State access needs")

    response = signed_in.post(
        url("change-access-needs", event="casa", booking_id=booking.pk),
        {"access_needs": ["captioning"], "access_needs_note": "Front row"},
        follow=True,
    )

    assert page_messages(response) == ["Your access needs are saved."]
    booking.refresh_from_db()
    assert (booking.access_needs, booking.access_needs_note) == (
        ["captioning"],
        "Front row",
    )
    assertContains(response, "Your access needs")


def test_a_double_click_books_once(signed_in, session, delegate):
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    data = {"form_token": form_token(page)}
    book = url("book", event="casa", code=session.code)

    first = signed_in.post(book, data, follow=True)
    second = signed_in.post(book, data, follow=True)

    assert page_messages(first) == page_messages(second) == [BOOKED]
    assert Booking.objects.filter(participant=delegate).count() == 1
    session.refresh_from_db()
    assert session.seats_taken == 1


@pytest.mark.usefixtures("on_postgres")
def test_a_form_booking_is_one_statement_with_its_form_token(
    signed_in, session, delegate
):
    """On PostgreSQL the form's token goes into the one-statement booking, as
    the API's Idempotency-Key does: no transaction of Django's holds the
    session's row across round trips to Python while the answer is stored."""
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    data = {"form_token": form_token(page)}
    book = url("book", event="casa", code=session.code)

    with CaptureQueriesContext(connection) as queries:
        first = signed_in.post(book, data)
    # Read before the next request, which empties the connection's log.
    statements = [q["sql"] for q in queries.captured_queries]
    shown = signed_in.get(first.url)
    again = signed_in.post(book, data, follow=True)

    assert sum("majlis_book_v3" in sql for sql in statements) == 1
    assert not [sql for sql in statements if "SAVEPOINT" in sql or "idempotency" in sql]
    assert page_messages(shown) == page_messages(again) == [BOOKED]
    assert Booking.objects.filter(participant=delegate).count() == 1


def test_a_session_page_reads_little(
    signed_in, session, delegate, django_assert_num_queries
):
    """The busiest page when booking opens: the session with its event, the
    web session, the delegate and their bookings; once booked, the session's
    group plan too (none here, so no seats or topics are read)."""
    page = url("session-detail", event="casa", code=session.code)
    with django_assert_num_queries(4):
        signed_in.get(page)
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    with django_assert_num_queries(5):
        signed_in.get(page)


@pytest.fixture
def programme_cache():
    caches["programme"].clear()
    yield
    caches["programme"].clear()


@pytest.mark.usefixtures("programme_cache")
def test_a_session_page_shares_the_session_for_a_second_and_nothing_personal(
    client, event, session, django_assert_num_queries, settings
):
    """In a crowd every delegate opens the same pages: the session, its seats
    left and its group plan are read once a second per process, as the
    programme's are; the delegate's own booking is read on every page."""
    settings.MAJLIS_PROGRAMME_FRESH_SECONDS = 3
    page = url("session-detail", event="casa", code=session.code)
    amina, omar = ParticipantFactory.create_batch(2, event=event)
    sign_in(client, amina).get(page)
    booking_create(participant=amina, session=session, actor=Actor.delegate())

    with django_assert_num_queries(4):  # web session, delegate, bookings, plan
        seen = client.get(page)
    with django_assert_num_queries(3):  # the plan (none here) kept a second too
        client.get(page)
    assertContains(seen, '<span class="badge badge-confirmed">Confirmed</span>')
    assertContains(seen, "50 seats left")  # as read a moment ago
    other = Client()
    assertContains(sign_in(other, omar).get(page), "Book a seat")
    assertNotContains(other.get(page), "badge-confirmed")

    caches["programme"].clear()  # as when the second is over
    assertContains(client.get(page), "49 seats left")


@pytest.mark.usefixtures("on_postgres")
def test_a_form_booking_reads_nothing_after_its_statement(
    signed_in, session, delegate, django_assert_num_queries
):
    """The event, the web session, the delegate, then the booking's one
    statement: a first booking without a switch is what it answered, and
    gave no seat up."""
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    with django_assert_num_queries(4):
        booked = signed_in.post(
            url("book", event="casa", code=session.code),
            {"form_token": form_token(page)},
        )
    assert page_messages(signed_in.get(booked.url)) == [BOOKED]


@pytest.mark.usefixtures("on_postgres")
@pytest.mark.parametrize("switch", ["1", ""])
def test_a_form_handed_to_the_locked_path_sent_twice_gets_its_first_answer(
    signed_in, event, session, delegate, switch
):
    """A seat held at the same time: the one-statement booking hands the form
    over and the locked path stores the form's answer (a switch, or the time
    conflict); the same form sent again gets that answer back."""
    held = SessionFactory(event=event, starts_at=session.starts_at)
    booking_create(participant=delegate, session=held, actor=Actor.delegate())
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    data = {"form_token": form_token(page), "switch": switch}
    book = url("book", event="casa", code=session.code)

    first = signed_in.post(book, data, follow=True)
    second = signed_in.post(book, data, follow=True)

    assert page_messages(first) == page_messages(second)
    if switch:
        assert page_messages(first) == [
            "Your seat is booked, and your seat in "
            f"&quot;<bdi>{held.title}</bdi>&quot; was released. "
            "A confirmation is on its way by email."
        ]
        assert Booking.objects.get(
            participant=delegate, status="confirmed"
        ).session == (session)
    else:
        assert "at the same time" in page_messages(first)[0]
        assert Booking.objects.get(
            participant=delegate, status="confirmed"
        ).session == (held)
    assert Booking.objects.filter(participant=delegate).count() == 1 + bool(switch)


def test_an_old_form_sent_again_after_cancelling_does_not_claim_a_seat(
    signed_in, session, delegate
):
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    data = {"form_token": form_token(page)}
    book = url("book", event="casa", code=session.code)
    signed_in.post(book, data, follow=True)
    booking = Booking.objects.get(participant=delegate)
    signed_in.post(
        url("cancel", event="casa", booking_id=booking.pk),
        {"confirm": "1"},
        follow=True,
    )

    again = signed_in.post(book, data, follow=True)

    assert page_messages(again) == [
        "This form was already sent; your booking is shown below."
    ]
    assert Booking.objects.filter(participant=delegate).count() == 1
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_booking_again_with_a_new_form_says_i_already_have_a_seat(
    signed_in, session, delegate
):
    book_through_page(signed_in, session)
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    assertNotContains(page, "Book a seat")
    response = signed_in.post(
        url("book", event="casa", code=session.code), {"form_token": "b" * 32}
    )
    response = signed_in.get(response.url)
    assert page_messages(response) == ["You already have a booking for this session."]
    assert Booking.objects.filter(participant=delegate).count() == 1


def test_a_full_session_puts_me_on_the_waiting_list(signed_in, event, delegate):
    full = SessionFactory(event=event, capacity=1)
    booking_create(
        participant=ParticipantFactory(event=event),
        session=full,
        actor=Actor.delegate(),
    )
    page = signed_in.get(url("session-detail", event="casa", code=full.code))
    assertContains(page, "Join the waiting list")
    assertNotContains(page, "Book a seat")

    response = book_through_page(signed_in, full)

    assert page_messages(response) == [
        "The session is full: you are on the waiting list, in position 1. "
        "If a seat opens, it is yours automatically."
    ]
    assert Booking.objects.get(participant=delegate).status == BookingStatus.WAITLISTED


def test_a_full_session_without_waiting_list_refuses(signed_in, event, delegate):
    full = SessionFactory(event=event, capacity=1, has_waitlist=False)
    booking_create(
        participant=ParticipantFactory(event=event),
        session=full,
        actor=Actor.delegate(),
    )
    response = signed_in.post(
        url("book", event="casa", code=full.code), {"form_token": "c" * 32}, follow=True
    )
    assert page_messages(response) == [
        "This session is full and keeps no waiting list."
    ]
    assert not Booking.objects.filter(participant=delegate).exists()


def test_a_time_conflict_offers_to_switch_and_switching_moves_the_seat(
    signed_in, event, session, delegate
):
    same_time = SessionFactory(
        event=event,
        code="same-time",
        starts_at=session.starts_at + timedelta(minutes=30),
        ends_at=session.ends_at + timedelta(minutes=30),
    )
    book_through_page(signed_in, session)

    page = signed_in.get(url("session-detail", event="casa", code=same_time.code))

    assertContains(page, '<input type="hidden" name="switch" value="1">')
    assertContains(
        page, 'You hold a seat in "<bdi>Future of work</bdi>" at the same time.'
    )
    assertContains(page, "Switch to this session")
    assertNotContains(page, "Book a seat")
    response = signed_in.post(
        url("book", event="casa", code=same_time.code),
        {"form_token": form_token(page), "switch": "1"},
        follow=True,
    )
    assert page_messages(response) == [SWITCHED]
    statuses = dict(
        Booking.objects.filter(participant=delegate).values_list(
            "session__code", "status"
        )
    )
    assert statuses == {"future-of-work": "cancelled", "same-time": "confirmed"}


def test_a_switch_from_a_page_shown_before_another_tab_switched_releases_nothing(
    signed_in, event, session, delegate
):
    """Two tabs: one shows "Switching releases your seat in Future of work";
    meanwhile the other switches to Green jobs. The first tab's switch must
    not release Green jobs, a seat its page never named."""
    same_time = {"starts_at": session.starts_at, "ends_at": session.ends_at}
    green = SessionFactory(
        event=event, code="green", title_en="Green jobs", **same_time
    )
    lab = SessionFactory(event=event, code="lab", **same_time)
    book_through_page(signed_in, session)
    stale = signed_in.get(url("session-detail", event="casa", code=lab.code))
    assertContains(stale, 'You hold a seat in "<bdi>Future of work</bdi>"')
    book_through_page(signed_in, green, switch="1")  # the other tab

    response = signed_in.post(
        url("book", event="casa", code=lab.code),
        {
            "form_token": form_token(stale),
            "switch": "1",
            "releasing": re.search(
                r'name="releasing" value="([^"]*)"', stale.content.decode()
            ).group(1),
        },
        follow=True,
    )

    statuses = dict(
        Booking.objects.filter(participant=delegate).values_list(
            "session__code", "status"
        )
    )
    assert statuses == {"future-of-work": "cancelled", "green": "confirmed"}
    assert "changed" in " ".join(page_messages(response))
    assertContains(response, 'You hold a seat in "<bdi>Green jobs</bdi>"')


def test_without_switch_a_time_conflict_is_refused(signed_in, event, session, delegate):
    same_time = SessionFactory(
        event=event, starts_at=session.starts_at, ends_at=session.ends_at
    )
    book_through_page(signed_in, session)
    response = signed_in.post(
        url("book", event="casa", code=same_time.code),
        {"form_token": "d" * 32},
        follow=True,
    )
    assert page_messages(response) == [
        "You already hold a seat in a session at the same time. "
        "Ask to switch to release it."
    ]
    assert not Booking.objects.filter(session=same_time).exists()


def test_cancelling_from_the_session_page(signed_in, session, delegate):
    book_through_page(signed_in, session)
    booking = Booking.objects.get(participant=delegate)
    page = signed_in.get(url("session-detail", event="casa", code=session.code))
    cancel = url("cancel", event="casa", booking_id=booking.pk)
    assertContains(page, f'action="{cancel}"')
    assertContains(page, "Cancel my booking")

    response = signed_in.post(cancel, {"confirm": "1"}, follow=True)

    assertRedirects(response, url("session-detail", event="casa", code=session.code))
    assert page_messages(response) == [CANCELLED]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assertContains(response, "Book a seat")


def test_cancelling_from_my_sessions_goes_back_there(signed_in, session, delegate):
    book_through_page(signed_in, session)
    booking = Booking.objects.get(participant=delegate)

    response = signed_in.post(
        url("cancel", event="casa", booking_id=booking.pk),
        {"back": "mine", "confirm": "1"},
    )

    assertRedirects(response, url("my-sessions", event="casa"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_my_sessions_lists_my_bookings_cancelled_too_and_my_checkin_code(
    signed_in, event, session, delegate
):
    later = SessionFactory(
        event=event,
        title_en="Later session",
        starts_at=session.ends_at,
        ends_at=session.ends_at + timedelta(hours=1),
    )
    book_through_page(signed_in, session)
    book_through_page(signed_in, later)
    kept = Booking.objects.get(session=session)
    cancelled = Booking.objects.get(session=later)
    signed_in.post(
        url("cancel", event="casa", booking_id=cancelled.pk), {"confirm": "1"}
    )
    ParticipantFactory(event=event, name="Somebody Else")

    response = signed_in.get(url("my-sessions", event="casa"))

    assertTemplateUsed(response, "site/my_sessions.html")
    # Said once, beside "Sign out", as on every page.
    assertContains(response, "Signed in as <bdi>Amina</bdi>", count=1)
    assertContains(response, "Future of work")
    assertContains(response, "Later session")
    assertContains(response, '<span class="badge badge-confirmed">Confirmed</span>')
    assertContains(response, '<span class="badge badge-cancelled">Cancelled</span>')
    assertContains(response, url("booking-calendar", event="casa", booking_id=kept.pk))
    assertNotContains(
        response, url("booking-calendar", event="casa", booking_id=cancelled.pk)
    )
    html = response.content.decode()
    assert re.search(r'<div class="qr" role="img" aria-label="[^"]+">\s*<svg', html)
    assertContains(
        response,
        f'<p class="checkin-code"><span dir="ltr">{delegate.checkin_code}</span></p>',
        html=True,
    )
    assertNotContains(response, "Somebody Else")


def test_my_sessions_shows_each_session_once_with_the_latest_booking(
    signed_in, event, session, delegate
):
    """Booked, cancelled and booked again: the session is listed once, as it
    stands now, not once per booking ever made."""
    for _ in range(2):
        booking = booking_create(
            participant=delegate, session=session, actor=Actor.delegate()
        )
        booking_cancel(booking=booking, actor=Actor.delegate())
    again = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )

    response = signed_in.get(url("my-sessions", event="casa"))

    assertContains(response, "Future of work", count=1)
    assertContains(response, '<span class="badge badge-confirmed">Confirmed</span>')
    assertNotContains(response, "badge-cancelled")
    assertContains(response, url("booking-calendar", event="casa", booking_id=again.pk))

    booking_cancel(booking=again, actor=Actor.delegate())
    response = signed_in.get(url("my-sessions", event="casa"))
    assertContains(response, "Future of work", count=1)
    assertContains(
        response, '<span class="badge badge-cancelled">Cancelled</span>', count=1
    )


def test_my_sessions_shows_my_place_in_the_queue(signed_in, event, delegate):
    full = SessionFactory(event=event, capacity=1)
    for someone in ParticipantFactory.create_batch(2, event=event):
        booking_create(participant=someone, session=full, actor=Actor.delegate())
    book_through_page(signed_in, full)
    response = signed_in.get(url("my-sessions", event="casa"))
    assertContains(response, "Position 2 in the queue")
    assertContains(response, "Leave the waiting list")


def test_the_calendar_file_of_a_booking(signed_in, session, delegate):
    book_through_page(signed_in, session)
    booking = Booking.objects.get(participant=delegate)

    response = signed_in.get(
        url("booking-calendar", event="casa", booking_id=booking.pk)
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert (
        response["Content-Disposition"] == 'attachment; filename="future-of-work.ics"'
    )
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Future of work" in body
    start = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in body


def test_a_delegate_cannot_touch_another_delegates_booking(
    signed_in, event, session, delegate
):
    other = ParticipantFactory(event=event)
    theirs = booking_create(participant=other, session=session, actor=Actor.delegate())

    cancel = signed_in.post(
        url("cancel", event="casa", booking_id=theirs.pk), {"confirm": "1"}
    )
    calendar = signed_in.get(
        url("booking-calendar", event="casa", booking_id=theirs.pk)
    )

    assert cancel.status_code == calendar.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED


def test_signed_in_for_one_event_is_not_signed_in_for_another(signed_in, event):
    other = EventFactory(slug="rabat")
    response = signed_in.get(url("my-sessions", event=other.slug))
    assert response.status_code == 302
    assert response.url.startswith(url("sign-in", event=other.slug))


def test_anonymous_booking_is_sent_to_sign_in_then_back_to_the_page_of_the_form(
    client, session
):
    book = url("book", event="casa", code=session.code)
    page = url("session-detail", event="casa", code=session.code)

    response = client.post(
        book, {"form_token": "e" * 32}, headers={"Referer": "http://testserver" + page}
    )

    assert response.status_code == 302
    parts = urlsplit(response.url)
    assert parts.path == url("sign-in", event="casa")
    assert parse_qs(parts.query)["next"] == [page]
    assert not Booking.objects.exists()


def test_after_signing_in_an_anonymous_booker_lands_on_a_page(
    client, session, delegate
):
    response = client.post(url("book", event="casa", code=session.code))
    next_path = parse_qs(urlsplit(response.url).query)["next"][0]
    sign_in(client, delegate)

    assert client.get(next_path).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_for_my_sessions(client, event):
    response = client.get(url("my-sessions", event="casa"))
    assert response.status_code == 302
    assert response.url.startswith(url("sign-in", event="casa") + "?next=")


def test_booking_is_post_only(signed_in, session):
    response = signed_in.get(url("book", event="casa", code=session.code))
    assert response.status_code == 405
    assert not Booking.objects.exists()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_opening_a_forms_address_answers_a_page_not_a_blank(signed_in, session, lang):
    """A form's address (bookmarked, reloaded, shared) opened as a page: a page
    in the reader's language with a way on, not an empty 405."""
    response = signed_in.get(url("book", lang, event="casa", code=session.code))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    with translation.override(lang):
        assertContains(
            response,
            translation.gettext("This address is for a form, not a page."),
            status_code=405,
        )
    assertContains(response, 'lang="' + lang + '"', status_code=405)
    assertContains(
        response,
        url("session-detail", lang, event="casa", code=session.code),
        status_code=405,
    )


@pytest.mark.parametrize(("lang", "zone"), [("en", "Morocco Time"), ("ar", "المغرب")])
def test_the_cancel_question_names_the_time_zone_in_words(
    signed_in, session, delegate, lang, zone
):
    """As the session page and "My sessions" do: "Morocco Time, GMT+1", not
    the database's "Africa/Casablanca"."""
    booking = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )

    response = signed_in.post(url("cancel", lang, event="casa", booking_id=booking.pk))

    assertContains(response, zone)
    assertNotContains(response, "Africa/Casablanca")


def test_booking_needs_the_csrf_token(event, session, delegate):
    browser = sign_in(Client(enforce_csrf_checks=True), delegate)
    page = browser.get(url("session-detail", event="casa", code=session.code))
    book = url("book", event="casa", code=session.code)

    forged = browser.post(book, {"form_token": form_token(page)})

    assert forged.status_code == 403
    assert not Booking.objects.exists()
    csrf = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    ).group(1)
    genuine = browser.post(
        book, {"form_token": form_token(page), "csrfmiddlewaretoken": csrf}
    )
    assert genuine.status_code == 302
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_full_session_without_waiting_list_offers_no_switch_to_wait(
    signed_in, event, session, delegate
):
    full = SessionFactory(
        event=event,
        capacity=1,
        has_waitlist=False,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    booking_create(
        participant=ParticipantFactory(event=event),
        session=full,
        actor=Actor.delegate(),
    )
    book_through_page(signed_in, session)

    page = signed_in.get(url("session-detail", event="casa", code=full.code))

    assertContains(page, "Full")
    assertNotContains(page, "Join the waiting list")
    assertNotContains(page, "you will wait for a seat here")


def test_the_language_follows_the_browser_at_the_root(client, event):
    assertRedirects(
        client.get("/", HTTP_ACCEPT_LANGUAGE="ar"),
        "/ar/",
        fetch_redirect_response=False,
    )
    assertRedirects(
        client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"),
        "/fr/",
        fetch_redirect_response=False,
    )
