"""A delegate on a 360 px phone, in Arabic: their published World Café table
in each round on "my sessions", then their choice of topics for a session's
working groups, kept and shown back; both pages pass axe-core and fit the
screen. An organiser, in Arabic, prints the table cards and emails the tables
after a confirmation page."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from playwright.sync_api import Browser, expect

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.groups import services
from majlis.groups.models import GroupSeat, TopicPreference
from majlis.outbox.models import OutboxMessage
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


def test_an_organiser_emails_the_tables_after_confirming_and_prints_them(
    browser: Browser, live_server, request
):
    slug = f"email-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    cafe = SessionFactory(event=event, code="cafe", title_ar="الدخل والنوع")
    for _number in range(6):
        booking_create(
            participant=ParticipantFactory(event=event),
            session=cafe,
            actor=Actor.delegate(),
        )
    user = User.objects.create_user("org", "org@example.org", "a-long-pass-phrase")
    StaffRole.objects.create(user=user, event=event, role="organiser").sessions.add(
        cafe
    )
    plan = services.plan_groups(actor=user, session=cafe, kind="cafe", tables=2)
    services.publish(actor=user, plan=plan)
    with translation.override("ar"):
        email_link = _("Email each delegate their table")
        send = ngettext("Send %(count)s email", "Send %(count)s emails", 6) % {
            "count": 6
        }
        cards = _("Table cards to fold (PDF)")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{live_server.url}/ar/backoffice/login/")
        page.locator("input[name=username]").fill("org")
        page.locator("input[name=password]").fill("a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.goto(f"{live_server.url}/ar/backoffice/{slug}/s/cafe/groups/")
        href = page.get_by_role("link", name=cards).get_attribute("href") or ""
        pdf = page.request.get(live_server.url + href)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        page.get_by_role("link", name=email_link).click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        if problems := violations_on(page):
            found["confirmation"] = problems
        assert not OutboxMessage.objects.filter(kind="group_seats").exists()
        page.get_by_role("button", name=send).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("الدخل والنوع")
        expect(page.get_by_role("status").first).not_to_be_empty()
        assert OutboxMessage.objects.filter(kind="group_seats").count() == 6
        if problems := violations_on(page):
            found["groups page"] = problems
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, f"axe-core:\n{json.dumps(found, indent=1)}"
