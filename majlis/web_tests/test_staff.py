"""The secretariat manages the event's staff in Chromium, on a desktop in
English and on a 360 px phone in Arabic: inviting an address that has a role
already shows both roles and asks to confirm the replacement; a session
organiser without a session is refused, the summary of errors taking the
focus and linking to the field; removing a role asks first and says what is
lost. axe-core checks each step, and no page scrolls sideways."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from majlis.backoffice.models import StaffRole
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory, SessionFactory, afternoon
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_confirmations import note_problems, shown
from majlis.web_tests.test_door import DEVICES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"  # noqa: S105 - a test account's


@pytest.fixture
def event_with_staff():
    """Two sessions, the secretariat, and door staff at the first session."""
    slug = f"staff-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    lab = SessionFactory(
        event=event, code="lab", title_en="Future of work", title_ar="مستقبل العمل"
    )
    cafe = SessionFactory(
        event=event,
        code="cafe",
        title_en="Youth employment café",
        title_ar="مقهى تشغيل الشباب",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    secretariat = User.objects.create_user(
        "secretariat", "secretariat@example.org", PASSWORD
    )
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    door = User.objects.create_user("door", "door@example.org", PASSWORD)
    StaffRole.objects.create(user=door, event=event, role="door").sessions.add(lab)
    return {"slug": slug, "lab": lab, "cafe": cafe, "door": door}


def sign_in_to_staff(page: Page, base: str, slug: str, language: str) -> None:
    staff = f"/{language}/backoffice/{slug}/staff/"
    page.goto(f"{base}/{language}/backoffice/login/?next={staff}")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}{staff}")


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_inviting_replacing_refusing_and_removing_staff(
    browser: Browser, live_server, event_with_staff, language, device, request
):
    slug, door = event_with_staff["slug"], event_with_staff["door"]
    titles = {
        code: event_with_staff[code].title_ar
        if language == "ar"
        else event_with_staff[code].title_en
        for code in ("lab", "cafe")
    }
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, object] = {}

    def w(message: str, **values: object) -> str:
        return shown(language, message, **values)

    def invite(email: str, role: str, session: str | None) -> None:
        page.fill("#id_email", email)
        page.locator("#id_role").select_option(label=w(role))
        if session:
            page.get_by_label(titles[session], exact=True).check()
        page.get_by_role("button", name=w("Send the invitation")).click()

    try:
        sign_in_to_staff(page, live_server.url, slug, language)
        note_problems(page, found, "staff page")

        # An address with a role already: both roles shown, the box to tick.
        invite("door@example.org", "Session organiser", "cafe")
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        refusal = w(
            '%(email)s has the role "%(role)s" here already: tick this box to '
            "replace it with the role below.",
            email="door@example.org",
            role=w("Door staff"),
        )
        expect(summary).to_contain_text(refusal)
        compared = page.locator(".roles-compared section")
        expect(compared).to_have_count(2)
        expect(compared.nth(0)).to_contain_text(w("Current role"))
        expect(compared.nth(0)).to_contain_text(w("Door staff"))
        expect(compared.nth(0)).to_contain_text(titles["lab"])
        expect(compared.nth(1)).to_contain_text(w("New role"))
        expect(compared.nth(1)).to_contain_text(w("Session organiser"))
        expect(compared.nth(1)).to_contain_text(titles["cafe"])
        note_problems(page, found, "replacement to confirm")
        role = StaffRole.objects.get(user=door)
        assert (role.role, list(role.sessions.values_list("code", flat=True))) == (
            "door",
            ["lab"],
        )

        replace = page.get_by_label(w("Replace their current role with this one"))
        expect(replace).not_to_be_checked()
        replace.check()
        # The choices stay as they were; the form is sent as confirmed.
        expect(page.get_by_label(titles["cafe"], exact=True)).to_be_checked()
        page.get_by_role("button", name=w("Send the invitation")).click()
        expect(page.get_by_role("status")).to_contain_text(
            w(
                "%(email)s is invited; the email is on its way.",
                email="door@example.org",
            )
        )
        role = StaffRole.objects.get(user=door)
        assert (role.role, list(role.sessions.values_list("code", flat=True))) == (
            "organiser",
            ["cafe"],
        )
        assert OutboxMessage.objects.filter(
            kind="staff_invite", to_email="door@example.org"
        ).exists()
        note_problems(page, found, "replaced")

        # A session organiser must work at a session.
        invite("new.organiser@example.org", "Session organiser", None)
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_have_attribute("role", "alert")
        box = summary.bounding_box()
        assert box is not None and box["y"] < DEVICES[device]["height"]
        link = summary.get_by_role("link")
        expect(link).to_contain_text(
            w(
                "Choose at least one session: session organisers and door staff "
                "work only at the sessions ticked."
            )
        )
        note_problems(page, found, "no session")
        link.click()
        expect(page.locator("#id_sessions_0")).to_be_focused()
        assert not User.objects.filter(email="new.organiser@example.org").exists()

        # Removing a role asks first and says what is lost.
        page.goto(f"{live_server.url}/{language}/backoffice/{slug}/staff/")
        page.get_by_role(
            "button", name=w("Remove the role of %(email)s", email="door@example.org")
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            w("Remove the role of <bdi>%(email)s</bdi>?", email="door@example.org")
        )
        consequences = page.locator(".confirm-consequences")
        expect(consequences).to_contain_text(
            w(
                '<bdi>%(email)s</bdi> loses the role "%(role)s" and no longer sees '
                "this event in the back office.",
                email="door@example.org",
                role=w("Session organiser"),
            )
        )
        expect(consequences).to_contain_text(titles["cafe"])
        note_problems(page, found, "removal to confirm")
        assert StaffRole.objects.filter(user=door).exists()  # asking changed nothing

        page.get_by_role("link", name=w("Do nothing and go back")).click()
        page.wait_for_url(f"{live_server.url}/{language}/backoffice/{slug}/staff/")
        assert StaffRole.objects.filter(user=door).exists()
        page.get_by_role(
            "button", name=w("Remove the role of %(email)s", email="door@example.org")
        ).click()
        page.get_by_role("button", name=w("Yes, remove the role")).click()
        page.wait_for_url(f"{live_server.url}/{language}/backoffice/{slug}/staff/")
        expect(page.get_by_role("status")).to_contain_text(
            w("%(email)s no longer has a role here.", email="door@example.org")
        )
        assert not StaffRole.objects.filter(user=door).exists()
        note_problems(page, found, "removed")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
