"""A delegate on a 360 px phone, in Arabic: their published World Café table
in each round on "my sessions", then their choice of topics for a session's
working groups, kept and shown back; both pages pass axe-core and fit the
screen."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import Browser, expect

from majlis.bookings.services import Actor, booking_create
from majlis.groups import services
from majlis.groups.models import GroupSeat, TopicPreference
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import keep_screenshot, sign_in
from majlis.web_tests.test_accessibility import AXE, violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
TOPICS = [
    {"en": "Measuring child labour", "ar": "قياس عمل الأطفال"},
    {"en": "Targets for hazardous work", "ar": "أهداف خاصة بالأعمال الخطرة"},
    {"en": "Data from surveys", "ar": "بيانات المسوح والسجلات"},
]
WIDER_THAN_THE_SCREEN = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


def test_a_delegate_on_a_phone_in_arabic_sees_their_table_and_chooses_topics(
    browser: Browser, live_server, request
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    slug = f"tables-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    cafe = SessionFactory(
        event=event, code="cafe", title_en="Income and gender", title_ar="الدخل والنوع"
    )
    workshop = SessionFactory(
        event=event,
        code="targets",
        title_en="Targets 2030",
        title_ar="أهداف 2030",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    delegate = ParticipantFactory(event=event, name="يوسف العلوي", language="ar")
    others = [ParticipantFactory(event=event) for _ in range(8)]
    for person in (delegate, *others):
        booking_create(participant=person, session=cafe, actor=Actor.delegate())
    booking_create(participant=delegate, session=workshop, actor=Actor.delegate())
    organiser = User.objects.create_user("organiser")
    plan = services.plan_groups(
        actor=organiser, session=cafe, kind="cafe", tables=3, rounds=3
    )
    services.publish(actor=organiser, plan=plan)
    services.set_topics(actor=organiser, session=workshop, topics=TOPICS)
    tables = list(
        GroupSeat.objects.filter(booking__participant=delegate)
        .order_by("round")
        .values_list("table", flat=True)
    )
    with translation.override("ar"):
        where = _("Where you sit")
        lines = [
            _("Round %(round)d: table %(table)d") % {"round": number, "table": table}
            for number, table in enumerate(tables, start=1)
        ]
        first, second = _("First choice"), _("Second choice")
        save, saved = _("Save my topics"), _("Your topics are saved.")

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    found: dict[str, list[dict]] = {}
    try:
        sign_in(context, live_server.url, delegate)
        page.goto(f"{live_server.url}/ar/e/{slug}/me/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        seats = page.get_by_role("list", name=where)
        expect(seats.get_by_role("listitem")).to_have_text(lines)
        assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0
        keep_screenshot(page, "delegate-tables-ar")
        if problems := violations_on(page):
            found["my sessions"] = problems

        page.goto(f"{live_server.url}/ar/e/{slug}/s/targets/")
        page.get_by_label(first).select_option(label=TOPICS[2]["ar"])
        page.get_by_label(second).select_option(label=TOPICS[0]["ar"])
        page.get_by_role("button", name=save).click()
        expect(page.get_by_role("status").first).to_contain_text(saved)
        chosen = page.locator("ol[aria-labelledby=chosen-topics] li")
        expect(chosen).to_have_text([TOPICS[2]["ar"], TOPICS[0]["ar"]])
        assert TopicPreference.objects.get(participant=delegate).choices == [3, 1]
        assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0
        keep_screenshot(page, "delegate-topics-ar")
        if problems := violations_on(page):
            found["session page"] = problems
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, f"axe-core:\n{json.dumps(found, indent=1)}"
