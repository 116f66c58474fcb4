"""The back office on a 320 px phone, in the four languages: no page and no
frame inside it scrolls sideways, and the tables (sessions, roster, delegates,
staff) turn into one card per row, each value under its column's name; on a
wider screen they stay tables. axe-core checks the same pages at that width."""

import json
import uuid

import pytest
from playwright.sync_api import Browser, Page

from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_accessibility import violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr", "es", "ar"]
TABLE_PAGES = {
    "sessions": "/{slug}/",
    "roster": "/{slug}/s/lab/roster/",
    "delegates": "/{slug}/delegates/",
    "staff": "/{slug}/staff/",
}
OTHER_PAGES = {
    "dashboard": "/{slug}/dashboard/",
    "check-in": "/{slug}/s/lab/check-in/?q=a",
    "messages": "/{slug}/s/lab/messages/",
    "delegate": "/{slug}/delegates/{delegate}/",
    "import": "/{slug}/delegates/import/",
    "session edit": "/{slug}/s/lab/edit/",
    "settings": "/{slug}/settings/",
    "staff member": "/{slug}/staff/{staff}/",
}


@pytest.fixture
def event_with_staff():
    """Two sessions, delegates with long and Arabic names booked in one, and the
    secretariat, a session organiser and door staff."""
    from django.contrib.auth.models import User

    from majlis.backoffice.models import StaffRole

    slug = f"phone-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    lab = SessionFactory(
        event=event,
        code="lab",
        title_en="Setting child labour targets beyond 2030 in supply chains",
        title_ar="تحديد أهداف عمل الأطفال لما بعد عام 2030",
    )
    SessionFactory(
        event=event,
        code="later",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    people = [
        ParticipantFactory(
            event=event,
            name="Maria Fernanda de los Ángeles Gutiérrez Rodríguez",
            email="maria.fernanda.gutierrez.rodriguez@trabajadores-americas.example.org",
            organisation="Confederación Sindical de Trabajadores y Trabajadoras de las Américas",
        ),
        ParticipantFactory(
            event=event, name="يوسف العلوي", organisation="جمعية حماية الطفولة"
        ),
        ParticipantFactory(event=event, name="Amina Benali", organisation=""),
    ]
    for person in people:
        booking_create(
            participant=person,
            session=lab,
            actor=Actor.delegate(),
            access_needs=["captioning"],
        )
    secretariat = User.objects.create_user(
        "secretariat", "secretariat@example.org", "a-long-pass-phrase"
    )
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    roles = []
    for name, role in (("organiser", "organiser"), ("door", "door")):
        user = User.objects.create_user(
            name, f"{name}.with.a.long.address@example.org", "a-long-pass-phrase"
        )
        roles.append(StaffRole.objects.create(user=user, event=event, role=role))
        roles[-1].sessions.add(lab)
    return {"slug": slug, "delegate": people[0].pk, "staff": roles[0].pk}


def signed_in_page(browser: Browser, base: str, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "a-long-pass-phrase")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    return page


SIDEWAYS = """() => {
  const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const frames = [...document.querySelectorAll('body *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
                 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName.toLowerCase() + '.' + e.className);
  return {page, frames};
}"""

TABLE_LAYOUT = """() => [...document.querySelectorAll('main table')].map(table => {
  const header = table.querySelector('thead');
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const rows = [...table.querySelectorAll('tbody tr')].filter(tr => tr.cells.length > 1);
  return {
    stacked: table.classList.contains('stack'),
    headerWidth: header ? header.getBoundingClientRect().width : 0,
    rowDisplay: rows.map(tr => getComputedStyle(tr).display),
    cells: rows.map(tr => [...tr.cells].map((cell, index) => ({
      header: headers[index],
      label: cell.dataset.label || null,
      shown: getComputedStyle(cell, '::before').content,
      top: cell.getBoundingClientRect().top,
      display: getComputedStyle(cell).display,
    }))),
  };
})"""


TABLE_ROLES = {"table", "row", "columnheader", "rowheader", "cell"}


def accessible_roles(page: Page) -> set[str]:
    """The roles in Chromium's own accessibility tree of the page, which is
    what screen readers are given (Playwright's roles are worked out from
    the markup alone)."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    return {node["role"]["value"] for node in tree["nodes"] if not node.get("ignored")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_back_office_pages_fit_a_320_px_phone_with_tables_as_cards(
    browser: Browser, live_server, event_with_staff, language
):
    base = f"{live_server.url}/{language}/backoffice"
    page = signed_in_page(browser, base, 320)
    try:
        for name, path in {**TABLE_PAGES, **OTHER_PAGES}.items():
            url = base + path.format(**event_with_staff)
            page.goto(url)
            sideways = page.evaluate(SIDEWAYS)
            if sideways["page"] > 0 or sideways["frames"]:
                keep_screenshot(page, f"phone-{language}-{name.replace(' ', '-')}")
            assert sideways == {"page": 0, "frames": []}, f"{language} {name}"
            tables = page.evaluate(TABLE_LAYOUT)
            if name not in TABLE_PAGES:
                continue
            (table,) = tables
            assert table["stacked"], f"{name}: not marked to stack"
            # Laid out as cards, it is still a table to a screen reader.
            assert accessible_roles(page) >= TABLE_ROLES, f"{name}: {TABLE_ROLES}"
            assert table["headerWidth"] <= 1, f"{name}: the header row still shows"
            assert table["rowDisplay"] and set(table["rowDisplay"]) == {"block"}
            for cells in table["cells"]:
                tops = [cell["top"] for cell in cells]
                assert tops == sorted(tops), f"{name}: cells side by side"
                for cell in cells[1:]:  # the first is the row's own heading
                    # Each value sits under its column's name, as translated.
                    assert cell["label"] == cell["header"], f"{name}: {cell}"
                    assert cell["label"] in cell["shown"], f"{name}: {cell}"
    finally:
        page.context.close()


def test_on_a_wide_screen_the_tables_stay_tables(
    browser: Browser, live_server, event_with_staff
):
    base = f"{live_server.url}/en/backoffice"
    page = signed_in_page(browser, base, 1024)
    try:
        for name, path in TABLE_PAGES.items():
            page.goto(base + path.format(slug=event_with_staff["slug"]))
            (table,) = page.evaluate(TABLE_LAYOUT)
            assert set(table["rowDisplay"]) == {"table-row"}, name
            assert table["headerWidth"] > 500, name
            for cells in table["cells"]:
                assert len({cell["top"] for cell in cells}) == 1, name
                assert {cell["shown"] for cell in cells} <= {"none", "normal"}
    finally:
        page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_secretariats_pages_on_a_phone_pass_axe_core(
    browser: Browser, live_server, event_with_staff, language
):
    base = f"{live_server.url}/{language}/backoffice"
    page = signed_in_page(browser, base, 320)
    found: dict[str, list[dict]] = {}
    try:
        for name, path in {**TABLE_PAGES, **OTHER_PAGES}.items():
            page.goto(base + path.format(**event_with_staff))
            if problems := violations_on(page):
                found[name] = problems
                keep_screenshot(page, f"axe-phone-{language}-{name.replace(' ', '-')}")
    finally:
        page.context.close()
    assert found == {}, (
        f"axe-core on a phone, {language}:\n{json.dumps(found, indent=1)}"
    )
