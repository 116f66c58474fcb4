"""The policy watch of conftest.py, which every browser test runs on every page
it visits, would see a violation; and the pages no other browser test visits
keep to the Content-Security-Policy too."""

import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser

from majlis.bookings.services import Actor, booking_check_in, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import PolicyWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watch_sees_an_inline_style_and_an_inline_script(
    browser: Browser, live_server, policy_watch: PolicyWatch
):
    event = EventFactory(slug=f"csp-{uuid.uuid4().hex[:8]}")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/e/{event.slug}/")
        assert policy_watch.problems == []
        page.evaluate(
            """() => {
              document.querySelector("main").insertAdjacentHTML(
                "beforeend", '<p style="color: red">planted</p>');
              const script = document.createElement("script");
              script.textContent = "window.planted = true";
              document.body.append(script);
            }"""
        )
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.planted") is None
    finally:
        context.close()
    seen = "\n".join(policy_watch.problems)
    assert "style-src" in seen and "script-src" in seen, seen
    policy_watch.problems.clear()  # seen: the test passes


def test_the_dashboard_with_its_bars_and_the_door(browser: Browser, live_server):
    slug = f"csp-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug, is_demo=True)
    session = SessionFactory(event=event, code="lab", capacity=3)
    for _ in range(3):
        person = ParticipantFactory(event=event, constituency="workers")
        booking_create(participant=person, session=session, actor=Actor.delegate())
    booking_check_in(session=session, participant=person, actor=Actor.system())
    User.objects.create_superuser("csp", "csp@example.org", "a-long-pass-phrase")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(
            f"{live_server.url}/en/backoffice/login/?next=/en/backoffice/{slug}/dashboard/"
        )
        page.get_by_label("Username").fill("csp")
        page.get_by_label("Password").fill("a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"**/{slug}/dashboard/")
        # The bars have their widths from the style sheet's classes.
        checked = page.locator(".chart-bar-checked").first.bounding_box()
        confirmed = page.locator(".chart-bar-confirmed").first.bounding_box()
        assert checked and confirmed
        # 1 checked in and 2 more confirmed of 3: 33 % and 67 % of the bar.
        assert confirmed["width"] / checked["width"] == pytest.approx(2, rel=0.05)
        page.goto(f"{live_server.url}/en/backoffice/{slug}/s/lab/check-in/")
        page.goto(f"{live_server.url}/en/backoffice/{slug}/s/lab/roster/")
        page.goto(f"{live_server.url}/en/backoffice/{slug}/delegates/")
    finally:
        context.close()
