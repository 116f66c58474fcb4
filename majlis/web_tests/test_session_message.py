"""An organiser writes to a session's delegates in Chromium, on a desktop in
English and on a 360 px phone in Arabic: the message with a French version,
the preview in each language the delegates read with how many it goes to,
then the confirmation, with JavaScript and without; axe-core checks the
form, the preview and the page once sent."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import Browser, Page, expect

from majlis.accounts.models import Language
from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.testing.text import isolated
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_confirmations import note_problems, shown
from majlis.web_tests.test_door import DEVICES, counted

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


def sign_in(page: Page, base: str, slug: str, language: str = "en") -> None:
    messages = f"/{language}/backoffice/{slug}/s/lab/messages/"
    page.goto(f"{base}/{language}/backoffice/login/?next={messages}")
    page.fill("#id_username", "organiser")
    page.fill("#id_password", "a-long-pass-phrase")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}{messages}")


def write_and_preview(page: Page, language: str = "en") -> None:
    page.fill("#id_subject", "Room change")
    page.fill("#id_body", "We meet in Menara.\nBring your badge.")
    page.get_by_label(
        shown(language, "The event: %(email)s", email="forum@example.org")
    ).check()
    page.get_by_text(shown(language, "Versions in other languages (optional)")).click()
    page.fill("#id_subject_fr", "Changement de salle")
    page.get_by_role("button", name=shown(language, "Preview")).click()


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_the_preview_shows_each_language_and_the_count_then_sends(
    browser: Browser, live_server, session_with_delegates, language, device, request
):
    slug = session_with_delegates
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, object] = {}

    def in_for(code: str, count: int) -> str:
        with translation.override(language):
            return ngettext(
                "In %(language)s, for %(count)s delegate",
                "In %(language)s, for %(count)s delegates",
                count,
            ) % {"language": str(Language(code).label), "count": count}

    try:
        sign_in(page, live_server.url, slug, language)
        title = "مستقبل العمل" if language == "ar" else "Future of work"
        expect(page.get_by_role("heading", level=1)).to_have_text(
            shown(language, "Write to the delegates: %(title)s", title=title)
        )
        note_problems(page, found, "form")
        write_and_preview(page, language)

        expect(page.locator(".message-preview [role=status]")).to_have_text(
            counted(
                language,
                "It will go to %(count)s delegate.",
                "It will go to %(count)s delegates.",
                4,
            )
        )
        previews = page.locator(".message-preview article")
        expect(previews).to_have_count(3)
        expect(previews.nth(0)).to_contain_text(in_for("en", 1))
        expect(previews.nth(0)).to_contain_text(
            f"{isolated('Future of work')}: Room change"
        )
        expect(previews.nth(1)).to_contain_text(in_for("fr", 1))
        expect(previews.nth(1)).to_contain_text(
            f"{isolated('Avenir du travail')}\u00a0: Changement de salle"
        )
        expect(previews.nth(2)).to_contain_text(in_for("ar", 2))
        arabic = previews.nth(2).locator("[lang=ar]")
        expect(arabic).to_have_attribute("dir", "rtl")
        expect(arabic).to_contain_text(f"{isolated('مستقبل العمل')}: Room change")
        expect(page.locator(".message-preview")).to_contain_text(
            shown(
                language,
                "Replies go to <bdi>%(reply_to)s</bdi>.",
                reply_to="forum@example.org",
            )
        )
        assert not SessionMessage.objects.exists()
        note_problems(page, found, "preview")

        page.get_by_role(
            "button",
            name=counted(
                language,
                "Send to %(count)s delegate",
                "Send to %(count)s delegates",
                4,
            ),
        ).click()
        expect(page.locator("#messages")).to_contain_text(
            counted(
                language,
                "Your message is on its way to %(count)d delegate.",
                "Your message is on its way to %(count)d delegates.",
                4,
            )
        )
        written = SessionMessage.objects.get()
        assert written.body == "We meet in Menara.\nBring your badge."
        assert written.reply_to == "forum@example.org"
        assert written.versions == {"fr": {"subject": "Changement de salle"}}
        sent = page.locator("[aria-labelledby=sent-heading] article")
        expect(sent).to_have_count(1)
        expect(sent.get_by_role("heading", level=3)).to_have_text("Room change")
        outbox = OutboxMessage.objects.filter(kind="session_message")
        assert sorted(message.language for message in outbox) == [
            "ar",
            "ar",
            "en",
            "fr",
        ]
        note_problems(page, found, "sent")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_changing_then_confirming_works_without_javascript(
    browser: Browser, live_server, session_with_delegates
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, session_with_delegates)
        write_and_preview(page)
        expect(page.locator(".message-preview")).to_contain_text(
            "It will go to 4 delegates."
        )
        page.get_by_role("button", name="Change the message").click()
        expect(page.get_by_label("Subject:", exact=True)).to_have_value("Room change")
        page.get_by_label("Subject:", exact=True).fill("Room change, again")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator(".message-preview")).to_contain_text(
            f"{isolated('Future of work')}: Room change, again"
        )
        page.get_by_role("button", name="Send to 4 delegates").click()
        expect(page.locator("#messages")).to_contain_text(
            "Your message is on its way to 4 delegates."
        )
        assert SessionMessage.objects.get().subject == "Room change, again"
    finally:
        context.close()
