"""An organiser writes to a session's delegates in Chromium (English, on a
desktop): the message with a French version, the preview in each language
the delegates read with how many it goes to, then the confirmation, with
JavaScript and without; axe-core checks the form and the preview."""

import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_accessibility import violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session_with_delegates():
    slug = f"msg-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug, contact_email="forum@example.org")
    session = SessionFactory(
        event=event,
        code="lab",
        capacity=10,
        title_en="Future of work",
        title_fr="Avenir du travail",
        title_ar="مستقبل العمل",
    )
    for name, language in (
        ("Amina Benali", "ar"),
        ("Claire Dubois", "fr"),
        ("Jane Smith", "en"),
        ("Omar Haddad", "ar"),
    ):
        person = ParticipantFactory(event=event, name=name, language=language)
        booking_create(participant=person, session=session, actor=Actor.delegate())
    user = User.objects.create_user(
        "organiser", "organiser@example.org", "a-long-pass-phrase"
    )
    StaffRole.objects.create(user=user, event=event, role="organiser").sessions.add(
        session
    )
    return slug


def sign_in(page: Page, base: str, slug: str) -> None:
    page.goto(f"{base}/login/?next=/en/backoffice/{slug}/s/lab/messages/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill("a-long-pass-phrase")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Write to the delegates"
    )


def write_and_preview(page: Page) -> None:
    page.get_by_label("Subject:", exact=True).fill("Room change")
    page.get_by_label("Message:", exact=True).fill(
        "We meet in Menara.\nBring your badge."
    )
    page.get_by_label("The event: forum@example.org").check()
    page.get_by_text("Versions in other languages (optional)").click()
    page.get_by_label("Subject in French:").fill("Changement de salle")
    page.get_by_role("button", name="Preview").click()


def test_the_preview_shows_each_language_and_the_count_then_sends(
    browser: Browser, live_server, session_with_delegates
):
    slug = session_with_delegates
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, f"{live_server.url}/en/backoffice", slug)
        assert violations_on(page) == []
        write_and_preview(page)

        expect(page.locator(".message-preview [role=status]")).to_have_text(
            "It will go to 4 delegates."
        )
        previews = page.locator(".message-preview article")
        expect(previews).to_have_count(3)
        expect(previews.nth(0)).to_contain_text("In English, for 1 delegate")
        expect(previews.nth(0)).to_contain_text("Future of work: Room change")
        expect(previews.nth(1)).to_contain_text("In French, for 1 delegate")
        expect(previews.nth(1)).to_contain_text(
            "Avenir du travail\u00a0: Changement de salle"
        )
        expect(previews.nth(2)).to_contain_text("In Arabic, for 2 delegates")
        arabic = previews.nth(2).locator("[lang=ar]")
        expect(arabic).to_have_attribute("dir", "rtl")
        expect(arabic).to_contain_text("مستقبل العمل: Room change")
        expect(page.locator(".message-preview")).to_contain_text(
            "Replies go to forum@example.org."
        )
        assert not SessionMessage.objects.exists()
        problems = violations_on(page)
        if problems:
            keep_screenshot(page, "message-preview")
        assert problems == []

        page.get_by_role("button", name="Send to 4 delegates").click()
        expect(page.locator("#messages")).to_contain_text(
            "Your message is on its way to 4 delegates."
        )
        written = SessionMessage.objects.get()
        assert written.body == "We meet in Menara.\nBring your badge."
        assert written.reply_to == "forum@example.org"
        assert written.versions == {"fr": {"subject": "Changement de salle"}}
        assert OutboxMessage.objects.filter(kind="session_message").count() == 4
    finally:
        context.close()


def test_changing_then_confirming_works_without_javascript(
    browser: Browser, live_server, session_with_delegates
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, f"{live_server.url}/en/backoffice", session_with_delegates)
        write_and_preview(page)
        expect(page.locator(".message-preview")).to_contain_text(
            "It will go to 4 delegates."
        )
        page.get_by_role("button", name="Change the message").click()
        expect(page.get_by_label("Subject:", exact=True)).to_have_value("Room change")
        page.get_by_label("Subject:", exact=True).fill("Room change, again")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator(".message-preview")).to_contain_text(
            "Future of work: Room change, again"
        )
        page.get_by_role("button", name="Send to 4 delegates").click()
        expect(page.locator("#messages")).to_contain_text(
            "Your message is on its way to 4 delegates."
        )
        assert SessionMessage.objects.get().subject == "Room change, again"
    finally:
        context.close()
