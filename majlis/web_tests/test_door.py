"""At the door, in Chromium: on a desktop in English and on a 360 px phone in
Arabic, door staff scan one delegate after another (the answer at the top, the
field empty and focused for the next, with what a delegate needs to take
part), search names and see where each person
stands, check in the late, release the seats of the absent once asked and
confirmed, and seat a walk-in; every state passes axe-core.

`MAJLIS_SCREENSHOTS=docs/screenshots` keeps screenshots of the door page for
the README ("The door")."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import AccessNeed, Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import ROOT, keep_screenshot
from majlis.web_tests.test_accessibility import violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"  # noqa: S105 - a test account's
DEVICES = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 740},
}


def words(language: str, message: str, **values: object) -> str:
    """``message`` as the page shows it in ``language``: translated, filled in,
    its tags (``<bdi>``) taken off."""
    with translation.override(language):
        return re.sub(r"<[^>]+>", "", gettext(message) % values)


def counted(
    language: str, singular: str, plural: str, count: int, **values: object
) -> str:
    with translation.override(language):
        text = ngettext(singular, plural, count) % {"count": count, **values}
    return re.sub(r"<[^>]+>", "", text)


# The outcomes whose screens the README shows (docs/screenshots/door-*.png).
SHOTS = {
    ("amina", "Seated"): "seated",
    ("lina", "Waiting list"): "waiting",
    ("omar", "Not booked here"): "not-booked",
}


def keep_for_docs(page: Page, name: str) -> None:
    """With MAJLIS_SCREENSHOTS set (a folder, from the project's root), a
    screenshot of the screen as staff see it, in 256 colours to stay small."""
    folder = os.environ.get("MAJLIS_SCREENSHOTS")
    if not folder:
        return
    target = ROOT / folder / f"door-{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    with Image.open(target) as shot:
        small = shot.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT
        )
    small.save(target, optimize=True)


@pytest.fixture
def door_event():
    """A session that started 20 minutes ago, its five seats taken (two of
    them by delegates who will not come) and one delegate waiting; a delegate
    booked elsewhere; door staff."""
    slug = f"door-{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    event = EventFactory(
        slug=slug,
        name_en="Conference on the Elimination of Child Labour",
        name_ar="المؤتمر المعني بالقضاء على عمل الأطفال",
        booking_closes_at=now + timedelta(days=1),  # booked now, dated earlier below
    )
    lab = SessionFactory(
        event=event,
        code="lab",
        title_en="Setting child labour targets beyond 2030",
        title_ar="تحديد أهداف عمل الأطفال لما بعد عام 2030",
        capacity=5,
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(minutes=100),
        no_show_release_minutes=10,
    )
    names = {
        "amina": ("Amina Benali", "Ministry of Labour"),
        "helene": ("Hélène Faure", "Confédération syndicale"),
        "salma": ("سلمى الإدريسي", "جمعية حماية الطفولة"),
        "claire": ("Claire Dubois", "Union"),
        "karim": ("Karim Tazi", "Employers' federation"),
        "lina": ("Lina Haddad", "Youth network"),  # waits: the seats are taken
    }
    people = {
        key: ParticipantFactory(event=event, name=name, organisation=organisation)
        for key, (name, organisation) in names.items()
    }
    for key, person in people.items():
        booking_create(
            participant=person,
            session=lab,
            actor=Actor.delegate(),
            access_needs=["wheelchair"] if key == "amina" else [],
        )
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
    people["omar"] = ParticipantFactory(event=event, name="Omar Haddad")
    user = User.objects.create_user("door", "door@example.org", PASSWORD)
    StaffRole.objects.create(user=user, event=event, role="door").sessions.add(lab)
    return {"slug": slug, "session": lab, "people": people}


def sign_in_at_the_door(page: Page, base: str, slug: str, language: str) -> None:
    door = f"/{language}/backoffice/{slug}/s/lab/check-in/"
    page.goto(f"{base}/{language}/backoffice/login/?next={door}")
    page.fill("#id_username", "door")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}{door}")


def scan(page: Page, code: str) -> None:
    """What a scanner does: type the code, then Enter."""
    page.locator("#checkin-q").press_sequentially(code)
    page.locator("#checkin-q").press("Enter")


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_the_door_flow_one_action_per_delegate(
    browser: Browser, live_server, door_event, language, device, request
):
    people = door_event["people"]
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    accessibility: dict[str, list[dict]] = {}

    def check_axe(state: str) -> None:
        if problems := violations_on(page):
            accessibility[state] = problems

    def w(message: str, **values: object) -> str:
        return words(language, message, **values)

    try:
        sign_in_at_the_door(page, live_server.url, door_event["slug"], language)
        nav = page.get_by_role("navigation", name=w("Main")).get_by_role("link")
        expect(nav).to_have_text([w("Sessions")])  # no Dashboard, no Delegates
        field = page.locator("#checkin-q")
        result = page.locator("#door-result")
        expect(field).to_be_focused()
        page.evaluate("window.sameDocument = true")  # gone if the page reloads

        # Scan after scan: each answer at the top, the field empty and focused.
        for key, tone, headline, sentence in (
            ("amina", "ok", "Seated", "<bdi>%(name)s</bdi> is checked in."),
            (
                "lina",
                "warn",
                "Waiting list",
                "<bdi>%(name)s</bdi> is on the waiting list (position %(position)s),"
                " not confirmed.",
            ),
            (
                "omar",
                "bad",
                "Not booked here",
                "<bdi>%(name)s</bdi> has not booked this session.",
            ),
            ("amina", "warn", "Already checked in", ""),
        ):
            person = people[key]
            scan(page, person.checkin_code)
            outcome = result.locator(f".door-outcome-{tone}")
            expect(outcome).to_contain_text(w(headline))
            if sentence:
                expect(outcome).to_contain_text(
                    w(sentence, name=person.name, position=1)
                )
            if key == "amina":  # to be seated where a wheelchair fits
                with translation.override(language):
                    wheelchair = str(AccessNeed.WHEELCHAIR.label)
                expect(outcome).to_contain_text(
                    w("Access needs: %(needs)s", needs=wheelchair)
                )
            expect(field).to_have_value("")
            expect(field).to_be_focused()
            top, field_box = outcome.bounding_box(), field.bounding_box()
            assert top and field_box and top["y"] < field_box["y"]
            bottom = field_box["y"] + field_box["height"]
            assert top["y"] >= 0 and bottom <= DEVICES[device]["height"], "in view"
            check_axe(f"after {key}: {headline}")
            if shot := SHOTS.get((key, headline)):
                keep_for_docs(page, f"{language}-{device}-{shot}")
        expect(result).to_have_attribute("role", "status")
        expect(result).to_have_attribute("aria-live", "assertive")
        assert page.evaluate("window.sameDocument"), "htmx answered, no page load"
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        ), "nothing wider than the screen"

        # A name without its accents or with Arabic letter variants.
        scan(page, "helene")
        expect(result).to_contain_text(
            counted(
                language,
                "%(count)s delegate matches “<bdi>%(query)s</bdi>”: choose below.",
                "%(count)s delegates match “<bdi>%(query)s</bdi>”: choose below.",
                1,
                query="helene",
            )
        )
        matches = page.locator("section[aria-labelledby=matches-heading] li")
        expect(matches).to_have_count(1)
        expect(matches).to_contain_text(w("Confirmed, not checked in yet"))
        matches.get_by_role(
            "button", name=w("Check in %(name)s", name="Hélène Faure")
        ).click()
        expect(result).to_contain_text(w("Seated"))
        expect(result).to_contain_text("Hélène Faure")
        expect(field).to_be_focused()
        scan(page, "الادريسي")
        expect(matches).to_have_count(1)
        expect(matches).to_contain_text("سلمى الإدريسي")

        # Where each person booked here stands.
        scan(page, "example.org")
        expect(matches).to_have_count(6)
        statuses = {
            "Amina Benali": "Checked in at %(time)s",
            "Hélène Faure": "Checked in at %(time)s",
            "Claire Dubois": "Confirmed, not checked in yet",
            "Karim Tazi": "Confirmed, not checked in yet",
            "سلمى الإدريسي": "Confirmed, not checked in yet",
            "Lina Haddad": "On the waiting list (position %(position)s): no seat to check in",
        }
        for name, status in statuses.items():
            item = matches.filter(has_text=name)
            expect(item).to_contain_text(w(status, position=1, time="").strip())
            check_in_button = item.get_by_role("button")
            expect(check_in_button).to_have_count(
                1 if status.startswith("Confirmed") else 0
            )
        check_axe("name search with statuses")
        scan(page, "Omar Haddad")  # not booked here: found by whole name only
        expect(matches).to_have_count(1)
        expect(matches).to_contain_text(w("Not booked in this session"))
        expect(matches).to_contain_text(w("No seat is free for a walk-in."))

        # Those still to arrive, counted and by name; one comes late.
        arrivals = page.locator("section.door-to-arrive")
        still = "%(count)s confirmed delegate still to arrive"
        stills = "%(count)s confirmed delegates still to arrive"
        expect(arrivals.get_by_role("heading")).to_have_text(
            counted(language, still, stills, 3)
        )
        arrivals.get_by_role("link", name=w("Show them by name")).click()
        expect(arrivals.locator("li")).to_have_count(3)
        expect(arrivals.locator("li").first).to_contain_text("Claire Dubois")
        arrivals.get_by_role(
            "button", name=w("Check in %(name)s", name="سلمى الإدريسي")
        ).click()
        expect(result).to_contain_text("سلمى الإدريسي")
        expect(arrivals.get_by_role("heading")).to_have_text(
            counted(language, still, stills, 2)
        )
        expect(arrivals.locator("li")).to_have_count(2)
        check_axe("still to arrive")

        # Releasing: how many, asked first, then done and said.
        release = page.locator("section.door-release").get_by_role("button")
        expect(release).to_have_text(
            counted(
                language,
                "Release the seat of %(count)s absent delegate…",
                "Release the seats of %(count)s absent delegates…",
                2,
            )
        )
        release.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            w("Release the seats of absent delegates?")
        )
        check_axe("release asked")
        assert not Booking.objects.filter(status="cancelled").exists(), "only asked"
        page.get_by_role(
            "button",
            name=counted(
                language, "Release %(count)s seat", "Release %(count)s seats", 2
            ),
        ).click()
        expect(page.locator("#messages")).to_contain_text(
            counted(
                language,
                "%(count)d seat of an absent delegate was released.",
                "%(count)d seats of absent delegates were released.",
                2,
            )
        )

        # Lina had the first freed seat; the other goes to a walk-in.
        scan(page, people["omar"].checkin_code)
        give = result.get_by_role(
            "button",
            name=w("Give %(name)s a free seat and check in", name="Omar Haddad"),
        )
        give.click()
        expect(result.locator(".door-outcome-ok")).to_contain_text(
            w("<bdi>%(name)s</bdi> has a seat and is checked in.", name="Omar Haddad")
        )
        expect(field).to_be_focused()
        check_axe("walk-in seated")
        seated = dict(
            Booking.objects.filter(session=door_event["session"]).values_list(
                "participant__name", "status"
            )
        )
        assert seated == {
            "Amina Benali": "confirmed",
            "Hélène Faure": "confirmed",
            "سلمى الإدريسي": "confirmed",
            "Claire Dubois": "cancelled",
            "Karim Tazi": "cancelled",
            "Lina Haddad": "confirmed",
            "Omar Haddad": "confirmed",
        }
        assert accessibility == {}, accessibility
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()


def test_without_javascript_the_door_still_checks_in_and_asks_before_releasing(
    browser: Browser, live_server, door_event, request
):
    people = door_event["people"]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_at_the_door(page, live_server.url, door_event["slug"], "en")
        page.fill("#checkin-q", people["amina"].checkin_code)
        page.locator("#door-form button[type=submit]").click()
        expect(page.locator("#door-result")).to_contain_text(
            "Seated Amina Benali is checked in."
        )
        expect(page.locator("#checkin-q")).to_have_value("")
        page.get_by_role(
            "button", name="Release the seats of 4 absent delegates…"
        ).click()
        page.get_by_role("link", name="Back to the door without releasing").click()
        assert not Booking.objects.filter(status="cancelled").exists()
        page.get_by_role(
            "button", name="Release the seats of 4 absent delegates…"
        ).click()
        page.get_by_role("button", name="Release 4 seats").click()
        expect(page.locator("#messages")).to_contain_text(
            "4 seats of absent delegates were released."
        )
        assert Booking.objects.filter(status="cancelled").count() == 4
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
    user = User.objects.create_user("scanner", "scan@example.org", PASSWORD)
    StaffRole.objects.create(user=user, event=event, role="door").sessions.add(session)

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(
            f"{live_server.url}/en/backoffice/login/?next=/en/backoffice/{slug}/s/lab/check-in/"
        )
        page.get_by_label("Username").fill("scanner")
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        scan_button = page.get_by_role("button", name="Scan a QR code with the camera")
        expect(scan_button).to_be_hidden()  # no barcode reader here: typing only

        context.add_init_script(FAKE_CAMERA_AND_DETECTOR)
        page.reload()
        page.evaluate(f"window.__code = '{delegate.checkin_code}'")
        scan_button.click()
        expect(page.locator("#door-result")).to_contain_text(
            "Amina Benali is checked in."
        )
        expect(page.locator("#checkin-q")).to_have_value("")
        assert Booking.objects.get(participant=delegate).checked_in_at is not None
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
