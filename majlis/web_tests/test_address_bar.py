"""The forms that answer in place (htmx: booking, cancelling) leave
the address bar on the page: reloading it, bookmarking or sharing it shows the
page, not the form's address (which accepts only POST, so a blank 405)."""

import uuid

import pytest
from playwright.sync_api import Browser, expect

from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_booking_in_place_keeps_the_session_address(browser: Browser, live_server):
    slug = f"addr-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    SessionFactory(event=event, code="lab", title_en="Policy lab")
    delegate = ParticipantFactory(event=event)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    sign_in(context, live_server.url, delegate)
    page = context.new_page()
    page.set_default_timeout(15_000)
    session_page = f"{live_server.url}/en/e/{slug}/s/lab/"
    try:
        page.goto(session_page)
        page.evaluate("window.sameDocument = true")  # gone if the page reloads
        page.get_by_role("button", name="Book a seat").click()
        expect(page.get_by_role("button", name="Cancel my booking")).to_be_visible()
        assert page.evaluate("window.sameDocument") is True  # answered in place
        assert page.url == session_page
        response = page.reload()
        assert response is not None and response.status == 200
        expect(page.get_by_role("button", name="Cancel my booking")).to_be_visible()
    finally:
        context.close()
