"""A delegate subscribes to all their sessions in their calendar, on a desktop
in English and on a phone in Arabic, then replaces the address."""

import uuid

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from playwright.sync_api import Browser, expect

from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot, sign_in
from majlis.web_tests.test_accessibility import violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.mark.parametrize(
    ("language", "device"),
    [("en", DESKTOP), ("ar", PHONE)],
    ids=["en-desktop", "ar-phone"],
)
def test_a_delegate_subscribes_and_makes_a_new_address(
    browser: Browser, live_server, settings, language, device
):
    settings.BASE_URL = live_server.url
    slug = f"feed-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    session = SessionFactory(
        event=event, title_en="Future of work", title_ar="مستقبل العمل"
    )
    delegate = ParticipantFactory(event=event, language=language)
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    with translation.override(language):
        subscribe, renew = (
            _("Subscribe in my calendar"),
            _("Make a new calendar address"),
        )
        open_app = _("Open in my calendar app")
        back = _("Back to my sessions")

    context = browser.new_context(**device)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(context, live_server.url, delegate)
        page.goto(f"{live_server.url}/{language}/e/{slug}/me/")
        assert violations_on(page) == []
        page.get_by_role("button", name=subscribe).click()

        link = page.get_by_role("link", name=open_app)
        expect(link).to_be_visible()
        webcal = link.get_attribute("href") or ""
        assert webcal.startswith("webcal://")
        keep_screenshot(page, f"calendar-subscription-{language}")
        assert violations_on(page) == []
        address = webcal.replace("webcal://", "http://", 1)
        feed = page.request.get(address)
        assert feed.status == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        [entry] = Calendar.from_ical(feed.body()).walk("VEVENT")
        assert str(entry["SUMMARY"]) == getattr(session, f"title_{language}")

        page.get_by_role("link", name=back).click()
        page.get_by_role("button", name=renew).click()
        expect(page.get_by_role("link", name=open_app)).to_be_visible()
        assert page.request.get(address).status == 404
    finally:
        context.close()
