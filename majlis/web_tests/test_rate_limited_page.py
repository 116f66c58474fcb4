"""A rate limit's page, in a real Chromium: a form htmx sends (booking)
shows the wait message in place of the page, not nothing."""

import uuid

import pytest
from playwright.sync_api import Browser, expect

from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_booking_past_the_limit_shows_the_wait_message(
    browser: Browser, live_server, settings
):
    settings.MAJLIS_LIMIT_BOOKING_CHANGES = "1/1m"
    slug = f"casa-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    SessionFactory(event=event, code="first", title_en="First")
    delegate = ParticipantFactory(event=event)
    context = browser.new_context(locale="en-GB")
    sign_in(context, live_server.url, delegate)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/en/e/{slug}/s/first/")
        page.get_by_role("button", name="Book a seat").click()
        expect(
            page.get_by_role("status").filter(has_text="Your seat is booked")
        ).to_be_visible()

        page.get_by_role("button", name="Cancel my booking").click()
        page.get_by_role("button", name="Yes, cancel my booking").click()

        expect(
            page.get_by_role("heading", level=1, name="Please wait a moment")
        ).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("please try again in")
    finally:
        context.close()
