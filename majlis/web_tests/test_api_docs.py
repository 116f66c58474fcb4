"""The API reference in Chromium, with every other origin out of reach, as on
a conference network without internet."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_reference_shows_its_operations_offline(browser: Browser, live_server):
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_this_site(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context = browser.new_context()
    try:
        context.route("**/*", only_this_site)
        page = context.new_page()
        page.goto(f"{live_server.url}/api/v1/docs")
        expect(page.get_by_role("heading", name="Majlis API")).to_be_visible()
        expect(page.get_by_text("/api/v1/me/bookings").first).to_be_visible()
    finally:
        context.close()
    assert elsewhere == []
