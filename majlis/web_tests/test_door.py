"""At the door, in Chromium: door staff sign in, check a delegate in by code,
release the seats of the absent, and seat a walk-in."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, expect

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_release_and_walk_in_at_the_door(
    browser: Browser, live_server, request
):
    slug = f"door-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug, is_demo=True)
    now = timezone.now()
    session = SessionFactory(
        event=event,
        code="lab",
        capacity=2,
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(minutes=100),
    )
    present = ParticipantFactory(event=event, name="Amina Benali")
    absent = ParticipantFactory(event=event, name="Claire Dubois")
    walk_in = ParticipantFactory(event=event, name="يوسف العلوي")
    for person in (present, absent):
        booking_create(participant=person, session=session, actor=Actor.delegate())
    user = User.objects.create_user("door", "door@example.org", "a-long-pass-phrase")
    StaffRole.objects.create(user=user, event=event, role="door").sessions.add(session)

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = f"{live_server.url}/en/backoffice"
    try:
        page.goto(f"{base}/login/?next=/en/backoffice/{slug}/s/lab/check-in/")
        page.get_by_label("Username").fill("door")
        page.get_by_label("Password").fill("a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in")

        page.get_by_label("Check-in code or name").fill(present.checkin_code.lower())
        page.get_by_label("Check-in code or name").press("Enter")
        status = page.locator(".checkin-result")
        expect(status).to_contain_text("Amina Benali is checked in.")
        expect(page.locator("main")).to_contain_text(
            "1 of 2 confirmed delegates checked in"
        )

        page.get_by_role("button", name="Release the seats of absent delegates").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "1 seat of an absent delegate was released."
        )

        page.get_by_label("Check-in code or name").fill(walk_in.checkin_code)
        page.get_by_label("Check-in code or name").press("Enter")
        expect(status).to_contain_text("has not booked this session")
        page.get_by_role(
            "button", name="Give يوسف العلوي a free seat and check in"
        ).click()
        expect(page.get_by_role("status").first).to_contain_text(
            "has a seat and is checked in"
        )

        seated = dict(
            Booking.objects.filter(session=session).values_list(
                "participant__name", "status"
            )
        )
        assert seated == {
            "Amina Benali": "confirmed",
            "Claire Dubois": "cancelled",
            "يوسف العلوي": "confirmed",
        }
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()


FAKE_CAMERA_AND_DETECTOR = """
    window.BarcodeDetector = class {
        constructor(options) { this.options = options; }
        async detect() { return [{ rawValue: window.__code }]; }
    };
    navigator.mediaDevices.getUserMedia = async () => {
        const canvas = document.createElement("canvas");
        canvas.width = 64; canvas.height = 64;
        return canvas.captureStream();
    };
"""


def test_scanning_a_qr_code_with_the_camera_checks_in(
    browser: Browser, live_server, request
):
    """Chromium on Linux has no BarcodeDetector, so the test gives the page one
    (and a camera) that "sees" the delegate's code: what is tested is the
    page's wiring from the camera to the check-in."""
    slug = f"scan-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    session = SessionFactory(event=event, code="lab")
    delegate = ParticipantFactory(event=event, name="Amina Benali")
    booking_create(participant=delegate, session=session, actor=Actor.delegate())
    user = User.objects.create_user("scanner", "scan@example.org", "a-long-pass-phrase")
    StaffRole.objects.create(user=user, event=event, role="door").sessions.add(session)

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(
            f"{live_server.url}/en/backoffice/login/?next=/en/backoffice/{slug}/s/lab/check-in/"
        )
        page.get_by_label("Username").fill("scanner")
        page.get_by_label("Password").fill("a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        scan = page.get_by_role("button", name="Scan a QR code with the camera")
        expect(scan).to_be_hidden()  # no barcode reader in this browser: typing only

        context.add_init_script(FAKE_CAMERA_AND_DETECTOR)
        page.reload()
        page.evaluate(f"window.__code = '{delegate.checkin_code}'")
        scan.click()
        expect(page.locator(".checkin-result")).to_contain_text(
            "Amina Benali is checked in."
        )
        assert Booking.objects.get(participant=delegate).checked_in_at is not None
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
