"""Actions that cannot be undone ask first, in a real Chromium: a delegate
cancels on a 360 px phone in Arabic (in English, test_keyboard_and_small_screens
does), an organiser cancels and moves on a delegate's behalf, and a delegate
switches and is told which seat went, each on a desktop in English and on a
phone in Arabic; a refused save sums up its errors and takes the focus.
axe-core checks each step."""

import json
import uuid

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, expect

from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot, sign_in
from majlis.web_tests.test_accessibility import violations_on
from majlis.web_tests.test_door import DEVICES, words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"  # noqa: S105 - a test account's


def in_arabic(text: str) -> str:
    with translation.override("ar"):
        translated = gettext(text)
    assert translated != text, f"{text!r} has no Arabic translation"
    return translated


def shown(language: str, message: str, **values: object) -> str:
    """``message`` as a page in ``language`` shows it (see test_door.words),
    failing if it has no translation there: an untranslated text on the
    page must not pass for the expected one."""
    if language != "en":
        with translation.override(language):
            assert gettext(message) != message, f"{message!r} has no {language} text"
    return words(language, message, **values)


@pytest.fixture
def conference():
    slug = f"confirm-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    talk = SessionFactory(
        event=event,
        code="talk",
        capacity=1,
        title_en="Future of work",
        title_ar="مستقبل العمل",
    )
    amina = ParticipantFactory(event=event, name="Amina Benali", language="ar")
    booking = booking_create(participant=amina, session=talk, actor=Actor.delegate())
    return {"slug": slug, "event": event, "talk": talk, "booking": booking}


def no_sideways_scroll(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )


def note_problems(page, found: dict[str, object], state: str) -> None:
    """What axe finds on ``page`` and a sideways scroll, noted in ``found``
    under ``state`` (the journey's step), for the test to assert none at its
    end rather than stop at the first."""
    if problems := violations_on(page):
        found[f"axe: {state}"] = problems
    if (sideways := no_sideways_scroll(page)) > 0:
        found[f"scrolls sideways: {state}"] = sideways


def test_a_delegate_cancels_after_confirming_on_a_phone_in_arabic(
    browser: Browser, live_server, conference, request
):
    booking = conference["booking"]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    sign_in(context, live_server.url, booking.participant)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{live_server.url}/ar/e/{conference['slug']}/s/talk/")
        expect(page.locator(".signed-in bdi")).to_have_text("Amina Benali")

        page.get_by_role("button", name=in_arabic("Cancel my booking")).click()

        question = page.locator("#your-booking")
        expect(question).to_have_text(in_arabic("Cancel your booking?"))
        expect(question).to_be_focused()
        expect(page.locator("#booking-area")).to_contain_text("مستقبل العمل")
        assert no_sideways_scroll(page) <= 0
        if problems := violations_on(page):
            found["confirmation"] = problems
        booking.refresh_from_db()
        assert booking.status == "confirmed"  # asking changed nothing

        page.get_by_role("button", name=in_arabic("Yes, cancel my booking")).click()

        expect(page.get_by_role("status")).to_contain_text(
            in_arabic("Your booking is cancelled.")
        )
        expect(
            page.get_by_role("button", name=in_arabic("Book a seat"))
        ).to_be_visible()
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        if problems := violations_on(page):
            found["after"] = problems
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_an_organiser_cancels_on_a_delegates_behalf_after_confirming(
    browser: Browser, live_server, conference, request, language, device
):
    from django.contrib.auth.models import User

    from majlis.backoffice.models import StaffRole

    def w(message: str, **values: object) -> str:
        return shown(language, message, **values)

    user = User.objects.create_user(
        "organiser", "org@example.org", "a-long-pass-phrase", first_name="Omar"
    )
    role = StaffRole.objects.create(
        user=user, event=conference["event"], role="secretariat"
    )
    role.sessions.set([conference["talk"]])
    waiting = booking_create(
        participant=ParticipantFactory(event=conference["event"], name="Claire Dubois"),
        session=conference["talk"],
        actor=Actor.delegate(),
    )
    booking = conference["booking"]
    title = "مستقبل العمل" if language == "ar" else "Future of work"
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = f"{live_server.url}/{language}/backoffice"
    slug = conference["slug"]
    found: dict[str, object] = {}

    try:
        page.goto(f"{base}/login/")
        page.fill("#id_username", "organiser")
        page.fill("#id_password", "a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/{slug}/")
        expect(page.locator(".signed-in")).to_have_text(
            w("Signed in as <bdi>%(name)s</bdi>", name="Omar")
        )

        page.goto(f"{base}/{slug}/s/talk/roster/")
        page.get_by_role(
            "button", name=w("Cancel the booking of %(name)s", name="Amina Benali")
        ).click()

        expect(page.get_by_role("heading", level=1)).to_have_text(
            w("Cancel the booking of <bdi>%(name)s</bdi>?", name="Amina Benali")
        )
        expect(page.locator("main")).to_contain_text(
            w(
                'The seat of <bdi>%(name)s</bdi> in "<bdi>%(title)s</bdi>" is '
                "released: the first person on the waiting list gets it, or anyone "
                "may book it.",
                name="Amina Benali",
                title=title,
            )
        )
        note_problems(page, found, "confirmation")
        booking.refresh_from_db()
        assert booking.status == "confirmed"

        page.get_by_role("button", name=w("Yes, cancel the booking")).click()

        page.wait_for_url(f"{base}/{slug}/s/talk/roster/")
        expect(page.get_by_role("status")).to_contain_text(
            w("The booking of %(name)s is cancelled.", name="Amina Benali")
        )
        booking.refresh_from_db()
        waiting.refresh_from_db()
        assert (booking.status, waiting.status) == ("cancelled", "confirmed")
        note_problems(page, found, "cancelled")

        # A refused save: the summary at the top takes the focus and links to
        # the field.
        page.goto(f"{base}/{slug}/s/talk/edit/")
        page.fill("#id_capacity", "0")
        page.get_by_role("button", name=w("Save the session")).click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_have_attribute("role", "alert")
        note_problems(page, found, "refused save")
        summary.get_by_role("link").first.click()
        expect(page.locator("#id_capacity")).to_be_focused()
        expect(page.locator("#id_capacity")).to_have_attribute("aria-invalid", "true")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.fixture
def same_hour(conference):
    """A second session at the very hours of the first, with free seats."""
    cafe = SessionFactory(
        event=conference["event"],
        code="cafe",
        capacity=5,
        title_en="Youth employment café",
        title_ar="مقهى تشغيل الشباب",
        starts_at=conference["talk"].starts_at,
        ends_at=conference["talk"].ends_at,
    )
    return conference | {"cafe": cafe}


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_a_delegate_switches_and_is_told_which_seat_was_released(
    browser: Browser, live_server, same_hour, request, language, device
):
    """Before the switch, the page says the seat held at the same time goes;
    after it, which one went."""

    def w(message: str, **values: object) -> str:
        return shown(language, message, **values)

    booking = same_hour["booking"]
    held, wanted = same_hour["talk"], same_hour["cafe"]
    held_title, wanted_title = (
        getattr(session, f"title_{language}") for session in (held, wanted)
    )
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    sign_in(context, live_server.url, booking.participant)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, object] = {}

    try:
        page.goto(f"{live_server.url}/{language}/e/{same_hour['slug']}/s/cafe/")
        area = page.locator("#booking-area")
        expect(area).to_contain_text(
            w('You hold a seat in "%(other)s" at the same time.', other=held_title)
        )
        expect(area).to_contain_text(w("Switching releases that seat."))
        note_problems(page, found, "before the switch")

        area.get_by_role("button", name=w("Switch to this session")).click()

        expect(page.get_by_role("status")).to_contain_text(
            w(
                'Your seat is booked, and your seat in "%(released)s" was '
                "released. A confirmation is on its way by email.",
                released=held_title,
            )
        )
        expect(area.get_by_role("button", name=w("Cancel my booking"))).to_be_visible()
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        assert booking.participant.bookings.get(status="confirmed").session == wanted
        assert wanted_title in page.title()
        note_problems(page, found, "after the switch")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_an_organiser_moves_a_booking_after_confirming(
    browser: Browser, live_server, same_hour, request, language, device
):
    """The roster's move says first where the delegate gets a seat and that
    their seat here goes to the first person waiting; only the confirmation
    moves them."""
    from django.contrib.auth.models import User

    from majlis.backoffice.models import StaffRole

    def w(message: str, **values: object) -> str:
        return shown(language, message, **values)

    user = User.objects.create_user("organiser", "org@example.org", PASSWORD)
    StaffRole.objects.create(
        user=user, event=same_hour["event"], role="organiser"
    ).sessions.set([same_hour["talk"], same_hour["cafe"]])
    waiting = booking_create(
        participant=ParticipantFactory(event=same_hour["event"], name="Claire Dubois"),
        session=same_hour["talk"],
        actor=Actor.delegate(),
    )
    booking = same_hour["booking"]
    talk_title, cafe_title = (
        getattr(same_hour[code], f"title_{language}") for code in ("talk", "cafe")
    )
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = f"{live_server.url}/{language}/backoffice"
    roster = f"{base}/{same_hour['slug']}/s/talk/roster/"
    found: dict[str, object] = {}

    try:
        page.goto(f"{base}/login/?next={roster.removeprefix(live_server.url)}")
        page.fill("#id_username", "organiser")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(roster)

        page.get_by_label(w("Move %(name)s to", name="Amina Benali")).select_option(
            label=cafe_title
        )
        page.locator(f"form.move:has(#move-{booking.pk})").get_by_role(
            "button", name=w("Move")
        ).click()

        expect(page.get_by_role("heading", level=1)).to_have_text(
            w("Move <bdi>%(name)s</bdi> to another session?", name="Amina Benali")
        )
        main = page.locator("main")
        expect(main).to_contain_text(
            w(
                '<bdi>%(name)s</bdi> gets a seat in "<bdi>%(target)s</bdi>".',
                name="Amina Benali",
                target=cafe_title,
            )
        )
        expect(main).to_contain_text(
            w(
                'Their seat in "<bdi>%(title)s</bdi>" is released: the first person '
                "on its waiting list gets it.",
                title=talk_title,
            )
        )
        note_problems(page, found, "confirmation")
        booking.refresh_from_db()
        assert booking.status == "confirmed", "only asked"

        page.get_by_role("button", name=w("Yes, move the booking")).click()

        page.wait_for_url(roster)
        expect(page.get_by_role("status")).to_contain_text(
            w(
                "%(name)s now has a seat in %(session)s.",
                name="Amina Benali",
                session=cafe_title,
            )
        )
        booking.refresh_from_db()
        waiting.refresh_from_db()
        assert (booking.status, waiting.status) == ("cancelled", "confirmed")
        moved = booking.participant.bookings.get(status="confirmed")
        assert moved.session == same_hour["cafe"]
        note_problems(page, found, "moved")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
