"""The booking path with the keyboard alone, with a visible focus and results
announced in a live region; and pages that fit 320 px and 200 % zoom."""

import re
import uuid

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from majlis.bookings.models import Booking
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import keep_screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/sign-in/[\w-]+/(?:\?\S*)?")
ENGLISH = {
    "book": "Book a seat",
    "cancel": "Cancel my booking",
    "confirm cancel": "Yes, cancel my booking",
    "booked": "Your seat is booked. A confirmation is on its way by email.",
    "cancelled": "Your booking is cancelled.",
    "continue": "Continue and sign in",
    "sign in": "Sign in to book",
    "sent": "Check your email",
}


def words_in(language: str) -> dict[str, str]:
    """The page's words as the catalogues say them, so a wrong translation fails
    here as it would confuse a delegate."""
    with translation.override(language):
        return {key: gettext(text) for key, text in ENGLISH.items()}


TITLES = {
    "title_en": "Future of work",
    "title_fr": "Avenir du travail",
    "title_es": "Futuro del trabajo",
    "title_ar": "مستقبل العمل",
}


@pytest.fixture
def conference(settings, live_server):
    settings.BASE_URL = live_server.url
    slug = f"keys-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    session = SessionFactory(event=event, code="talk", **TITLES)
    SessionFactory(
        event=event,
        code="other",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    delegate = ParticipantFactory(event=event)
    return {"slug": slug, "session": session, "delegate": delegate}


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label contains ``name``;
    on the way, every focused element must show a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {
                    body: el === document.body,
                    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
                    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    how: `${style.outlineStyle} ${style.outlineWidth} on ${location.pathname}`,
                };
            }"""
        )
        if focused["body"]:  # past the last element, Tab leaves the page
            continue
        assert focused["ring"], (
            f"no visible focus on {focused['text']!r} {focused['how']}"
        )
        if name in focused["text"]:
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_whole_booking_path_works_with_the_keyboard_alone(
    browser: Browser, live_server, conference, language, request
):
    words = words_in(language)
    conference["delegate"].language = language  # their email, and its link, in it
    conference["delegate"].save()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = f"{live_server.url}/{language}/e/{conference['slug']}"
    try:
        page.goto(f"{base}/")
        title = TITLES[f"title_{language}"]
        tab_to(page, title)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)

        tab_to(page, words["sign in"])
        page.keyboard.press("Enter")
        expect(page.locator("input[type=email]")).to_be_focused()  # autofocus
        page.keyboard.type(conference["delegate"].email)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["sent"])
        assert outbox_send_due().sent == 1
        link = LINK.search(mail.outbox[-1].body).group(0)

        page.goto(link)  # following the emailed link
        tab_to(page, words["continue"])
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)

        tab_to(page, words["book"])
        page.keyboard.press("Enter")
        status = page.get_by_role("status")
        expect(status).to_contain_text(words["booked"])
        assert status.get_attribute("aria-live") == "polite"
        expect(page.locator("#your-booking")).to_be_focused()
        assert (
            Booking.objects.get(participant=conference["delegate"]).status
            == "confirmed"
        )

        tab_to(page, words["cancel"])
        page.keyboard.press("Enter")
        expect(page.locator("#your-booking")).to_be_focused()  # the question
        tab_to(page, words["confirm cancel"])
        page.keyboard.press("Enter")
        expect(status).to_contain_text(words["cancelled"])
        assert (
            Booking.objects.get(participant=conference["delegate"]).status
            == "cancelled"
        )
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(320, 640, 1), (640, 400, 2)],
    ids=["320px", "1280px-at-200-percent"],
)
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_pages_fit_narrow_screens_and_zoom_without_sideways_scrolling(
    browser: Browser, live_server, conference, language, width, height, scale
):
    # 1280 px at 200 % zoom lays out like 640 CSS pixels.
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    sign_in(context, live_server.url, conference["delegate"])
    page = context.new_page()
    base = f"{live_server.url}/{language}/e/{conference['slug']}"
    try:
        for path in ("/", "/s/talk/", "/me/", "/me/delete/", "/sign-in/"):
            page.goto(base + path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (
                f"{language}{path} scrolls sideways by {overflow}px at {width}px"
            )
    finally:
        context.close()
