"""A delegate signs in with the emailed link and books a seat, in a real Chromium."""

import re
import uuid

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from majlis.bookings.models import Booking, BookingStatus
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import keep_screenshot

LINK = re.compile(r"https?://\S+/sign-in/[\w-]+/(?:\?\S*)?")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_delegate_signs_in_by_email_and_books_a_seat(
    browser: Browser, live_server, settings, request
):
    settings.BASE_URL = live_server.url
    # A slug of its own: this test commits, so it must not meet other tests' rows.
    slug = f"casa-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug, name_en="Casablanca Forum")
    session = SessionFactory(
        event=event, code="future-of-work", title_en="Future of work"
    )
    SessionFactory(
        event=event,
        code="green-jobs",
        title_en="Green jobs",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    delegate = ParticipantFactory(event=event, email="amina@example.org")

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/en/e/{slug}/")
        expect(
            page.get_by_role("heading", level=1, name="Casablanca Forum")
        ).to_be_visible()
        expect(page.get_by_role("link", name="Green jobs")).to_be_visible()

        navigation = page.get_by_role("navigation", name="Main")
        navigation.get_by_role("link", name="Sign in", exact=True).click()
        page.get_by_label("Your email address, as registered for the conference").fill(
            delegate.email
        )
        page.get_by_role("button", name="Email me a sign-in link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

        assert outbox_send_due().sent == 1
        (message,) = mail.outbox
        assert message.to == [delegate.email]
        link = LINK.search(message.body).group(0)
        assert link.startswith(f"{live_server.url}/en/e/{slug}/sign-in/")

        page.goto(link)
        page.get_by_role("button", name="Continue and sign in").click()
        expect(navigation.get_by_role("link", name="My sessions")).to_be_visible()

        page.get_by_role("link", name="Future of work").click()
        expect(
            page.get_by_role("heading", level=1, name="Future of work")
        ).to_be_visible()
        sent: list[str] = []
        page.on("request", lambda asked: sent.append(f"{asked.method} {asked.url}"))
        with page.expect_response(re.compile(r"/book/$")) as booked:
            page.get_by_role("button", name="Book a seat").click()

        expect(
            page.get_by_role("status").filter(has_text="Your seat is booked")
        ).to_be_visible()
        # htmx swapped the answer in: one request, no page loaded after it.
        assert booked.value.status == 200
        assert sent == [f"POST {booked.value.url}"]
        expect(page.get_by_role("button", name="Cancel my booking")).to_be_visible()
        booking = Booking.objects.get(participant=delegate)
        assert booking.session_id == session.pk
        assert booking.status == BookingStatus.CONFIRMED
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
