"""The Groups page in Chromium: an organiser forms a World Café's tables,
tries another arrangement, moves a person, seats a late arrival and
publishes; the page passes axe-core in every language, Arabic right to left."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.groups.models import GroupPlan, GroupSeat
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_accessibility import AXE, violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAMES = (
    "Amina Benali",
    "Claire Dubois",
    "يوسف العلوي",
    "María López",
    "Kwame Mensah",
    "Li Wei",
    "Fatima Zahra",
    "John Smith",
    "Sara Haddad",
)


def test_an_organiser_forms_moves_seats_and_publishes(
    browser: Browser, live_server, request
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    slug = f"groups-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    session = SessionFactory(event=event, code="cafe", title_en="Income and gender")
    for i, name in enumerate(NAMES):
        booking_create(
            participant=ParticipantFactory(
                event=event,
                name=name,
                organisation=f"Org {i % 4}",
                constituency=("government", "employers", "workers")[i % 3],
                country=("MA", "FR", "BR")[i % 3],
                language=("en", "fr", "es", "ar")[i % 4],
            ),
            session=session,
            actor=Actor.delegate(),
        )
    user = User.objects.create_user("org", "org@example.org", "a-long-pass-phrase")
    StaffRole.objects.create(user=user, event=event, role="organiser").sessions.add(
        session
    )
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    base = f"{live_server.url}/en/backoffice"
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{base}/login/?next=/en/backoffice/{slug}/s/cafe/roster/")
        page.get_by_label("Username").fill("org")
        page.get_by_label("Password").fill("a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.get_by_role("link", name="Groups").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Groups: Income and gender"
        )
        expect(page.locator("main")).to_contain_text("No groups formed yet.")
        if problems := violations_on(page):
            found["empty"] = problems

        page.get_by_label("World Café rounds").check()
        page.get_by_label("Number of tables").fill("3")
        page.locator("#id_rounds").fill("3")
        page.locator("#id_host_1").select_option(label="Li Wei (Org 1)")
        page.get_by_label("Table of host 1").fill("2")
        page.get_by_role("button", name="Form the groups", exact=True).click()
        expect(page.get_by_role("status").first).to_contain_text(
            "The groups are formed"
        )
        expect(page.get_by_role("heading", name="Round 3")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Draft")
        figures = page.get_by_role("table", name="This arrangement beside a random")
        expect(figures).to_contain_text("Pairs who sit together in more than one round")
        plan = GroupPlan.objects.get(session=session)
        assert (plan.tables, plan.rounds, plan.seed) == (3, 3, 0)

        page.get_by_role("button", name="Try another arrangement").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "The groups are formed"
        )
        plan.refresh_from_db()
        assert plan.seed == 1

        mover = GroupSeat.objects.get(
            plan=plan, round=2, booking__participant__name="Amina Benali"
        )
        target = mover.table % 3 + 1
        page.locator("#id_move-person").select_option(label="Amina Benali (Org 0)")
        page.locator("#id_move-round").select_option("2")
        page.get_by_label("To table").fill(str(target))
        page.get_by_role("button", name="Move", exact=True).click()
        expect(page.get_by_role("status").first).to_contain_text(
            f"Amina Benali now sits at table {target} in round 2."
        )
        mover.refresh_from_db()
        assert mover.table == target
        sizes = figures.locator("tr", has_text="Table sizes within one of each other")
        expect(sizes.locator("td").first).to_have_text("no")

        booking_create(
            participant=ParticipantFactory(event=event, name="Late Comer"),
            session=session,
            actor=Actor.delegate(),
        )
        page.reload()
        expect(page.locator("main")).to_contain_text(
            "1 person to place has no seat yet"
        )
        page.get_by_role("button", name="Seat them at the least full tables").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "1 late arrival is seated; nobody else moved."
        )
        assert (
            GroupSeat.objects.filter(booking__participant__name="Late Comer").count()
            == 3
        )

        page.get_by_role("button", name="Publish to the delegates").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "The arrangement is published"
        )
        assert GroupPlan.objects.get(session=session).published_at is not None
        for language in ("en", "fr", "es", "ar"):
            page.goto(f"{live_server.url}/{language}/backoffice/{slug}/s/cafe/groups/")
            if language == "ar":
                expect(page.locator("html")).to_have_attribute("dir", "rtl")
            if problems := violations_on(page):
                found[language] = problems
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, f"axe-core on the Groups page:\n{json.dumps(found, indent=1)}"
