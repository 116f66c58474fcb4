"""Every delegate page, in every language, passes axe-core (WCAG 2.2 AA rules)
in Chromium; a failure names the page and the rule."""

import json
import uuid

import pytest
from playwright.sync_api import Browser

from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import AXE, keep_screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr", "es", "ar"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def conference():
    """An event with a free, a full and a closed session, and a delegate who
    holds a seat, waits for another and has stated access needs."""
    slug = f"axe-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    free = SessionFactory(event=event, code="free", interpretation=["fr", "ar"])
    full = SessionFactory(
        event=event,
        code="full",
        capacity=1,
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    delegate = ParticipantFactory(event=event, name="Amina Benali")
    other = ParticipantFactory(event=event)
    booking_create(participant=other, session=full, actor=Actor.delegate())
    booking_create(
        participant=delegate,
        session=free,
        actor=Actor.delegate(),
        access_needs=["captioning"],
    )
    booking_create(participant=delegate, session=full, actor=Actor.delegate())
    return {"event": event, "delegate": delegate, "slug": slug}


def pages(slug: str) -> dict[str, str]:
    return {
        "programme": f"/e/{slug}/",
        "programme filtered": f"/e/{slug}/?understood=ar",
        "free session": f"/e/{slug}/s/free/",
        "full session": f"/e/{slug}/s/full/",
        "my sessions": f"/e/{slug}/me/",
        "deleting my account": f"/e/{slug}/me/delete/",
        "sign-in": f"/e/{slug}/sign-in/",
        "sign-in link": f"/e/{slug}/sign-in/not-a-real-token/",
        "not found": f"/e/{slug}/s/nothing-here/",
    }


def violations_on(page) -> list[dict]:
    # Evaluated by Playwright rather than added as a script element, which
    # the page's Content-Security-Policy would rightly refuse.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "where": [n["target"] for n in v["nodes"]][:3],
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_core(
    browser: Browser, live_server, conference, language
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    context = browser.new_context()
    sign_in(context, live_server.url, conference["delegate"])
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        for name, path in pages(conference["slug"]).items():
            page.goto(f"{live_server.url}/{language}{path}")
            problems = violations_on(page)
            if problems:
                found[name] = problems
                keep_screenshot(page, f"axe-{language}-{name.replace(' ', '-')}")
    finally:
        context.close()
    assert found == {}, f"axe-core in {language}:\n{json.dumps(found, indent=1)}"


def test_the_check_would_see_a_violation(browser: Browser, live_server, conference):
    """The same check, on a page with an image missing its text alternative."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/e/{conference['slug']}/")
        page.evaluate(
            "() => document.querySelector('main').insertAdjacentHTML("
            "'beforeend', '<img src=\"data:image/png;base64,iVBORw0KGgo=\">')"
        )
        assert "image-alt" in {v["rule"] for v in violations_on(page)}
    finally:
        context.close()


ADMIN_PAGES = [
    "/admin/",
    "/admin/events/session/",
    "/admin/events/session/{session}/change/",
    "/admin/accounts/participant/",
    "/admin/bookings/booking/",
    "/admin/bookings/booking/{booking}/change/",
    "/admin/outbox/outboxmessage/",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_secretariats_admin_passes_axe_core(
    browser: Browser, live_server, conference, language
):
    from django.contrib.auth.models import User

    from majlis.bookings.models import Booking

    User.objects.create_superuser(
        "secretariat", "sec@example.org", "a-long-pass-phrase"
    )
    booking = Booking.objects.filter(session__event=conference["event"]).first()
    context = browser.new_context()
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{live_server.url}/admin/login/")
        if problems := violations_on(page):
            found["login"] = problems
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", "a-long-pass-phrase")
        page.locator("input[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        for path in ADMIN_PAGES:
            url = path.format(session=booking.session_id, booking=booking.pk)
            page.goto(live_server.url + url)
            assert page.locator("html").get_attribute("lang") == language
            if problems := violations_on(page):
                found[url] = problems
                keep_screenshot(page, f"axe-admin-{language}-{len(found)}")
    finally:
        context.close()
    assert found == {}, (
        f"axe-core in the admin, {language}:\n{json.dumps(found, indent=1)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_back_office_passes_axe_core(
    browser: Browser, live_server, conference, language
):
    from django.contrib.auth.models import User

    from majlis.backoffice.models import StaffRole

    user = User.objects.create_user(
        "organiser", "org@example.org", "a-long-pass-phrase"
    )
    role = StaffRole.objects.create(
        user=user, event=conference["event"], role="organiser"
    )
    role.sessions.set(conference["event"].sessions.all())
    slug = conference["slug"]
    context = browser.new_context()
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    base = f"{live_server.url}/{language}/backoffice"
    try:
        page.goto(f"{base}/login/")
        if problems := violations_on(page):
            found["login"] = problems
        page.fill("#id_username", "organiser")
        page.fill("#id_password", "a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/{slug}/")
        code = conference["delegate"].checkin_code
        for name, path in {
            "sessions": f"/{slug}/",
            "dashboard": f"/{slug}/dashboard/",
            "erasing personal data": f"/{slug}/settings/erase-personal-data/",
            "roster": f"/{slug}/s/full/roster/",
            "roster filtered": f"/{slug}/s/full/roster/?status=waitlisted&sort=name",
            "check-in": f"/{slug}/s/free/check-in/",
            "check-in search": f"/{slug}/s/free/check-in/?q=Amina",
        }.items():
            page.goto(base + path)
            if problems := violations_on(page):
                found[name] = problems
        page.goto(f"{base}/{slug}/s/free/check-in/")
        page.fill("#checkin-q", code)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        if problems := violations_on(page):
            found["check-in result"] = problems
    finally:
        context.close()
    assert found == {}, (
        f"axe-core in the back office, {language}:\n{json.dumps(found, indent=1)}"
    )
