"""The language menu in Chromium, on a desktop in English and on a 360 px
phone in Arabic: every language is offered in its own name whatever the
page's, and changing it keeps the page, now in the language chosen."""

import uuid

import pytest
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from playwright.sync_api import Browser, expect

from majlis.testing.factories import EventFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_accessibility import violations_on
from majlis.web_tests.test_confirmations import shown
from majlis.web_tests.test_door import DEVICES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = {"en": "Future of work", "ar": "مستقبل العمل"}


@pytest.mark.parametrize(
    ("language", "device", "other"), [("en", "desktop", "ar"), ("ar", "phone", "en")]
)
def test_each_language_in_its_own_name_and_a_change_keeps_the_page(
    browser: Browser, live_server, request, language, device, other
):
    slug = f"menu-{uuid.uuid4().hex[:8]}"
    SessionFactory(
        event=EventFactory(slug=slug),
        code="talk",
        title_en=TITLES["en"],
        title_ar=TITLES["ar"],
    )
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/{language}/e/{slug}/s/talk/")
        menu = page.get_by_label(shown(language, "Language"), exact=True)
        options = menu.locator("option")
        expect(options).to_have_text(
            [
                capfirst(get_language_info(code)["name_local"])
                for code in ("en", "fr", "es", "ar")
            ]
        )
        expect(options.filter(has_text="العربيّة")).to_have_attribute("dir", "rtl")
        expect(options.filter(has_text="English")).to_have_attribute("lang", "en")
        assert violations_on(page) == []

        menu.select_option(other)
        page.get_by_role("button", name=shown(language, "Change")).click()

        page.wait_for_url(f"{live_server.url}/{other}/e/{slug}/s/talk/")
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[other])
        expect(page.locator("html")).to_have_attribute(
            "dir", "rtl" if other == "ar" else "ltr"
        )
        expect(page.get_by_label(shown(other, "Language"), exact=True)).to_have_value(
            other
        )
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
