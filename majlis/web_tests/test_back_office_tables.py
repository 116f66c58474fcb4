"""The back office's tables on a 1280 px desktop, in English and Arabic: each
column is as wide as its words, so that no word breaks across two lines
("Confir/med"), and addresses wrap only between their parts (after "@",
before a dot), and the table needs no sideways scrolling."""

import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser

from majlis.backoffice.models import StaffRole
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.web_tests.conftest import keep_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every word of the table's cells, measured where it is drawn: a word split
# across lines has boxes at two heights. Text inside an .address is made of
# parts, each its own text node, so a part is a word here.
SPLIT_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll('main table th, main table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()]
          .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""

SIDEWAYS = """() => [...document.querySelectorAll('main .table-wrap')]
  .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1).length"""

ADDRESS_LINES = """(text) => {
  const address = [...document.querySelectorAll('main .address')]
    .find(element => element.textContent === text);
  return [...address.querySelectorAll('span')].map(part =>
    [part.textContent, Math.round(part.getBoundingClientRect().top)]);
}"""

LONG_ADDRESS = "maria.fernanda.gutierrez.rodriguez@trabajadores-americas.example.org"


@pytest.fixture
def busy_session():
    slug = f"wide-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    lab = SessionFactory(
        event=event,
        code="lab",
        title_en="Setting child labour targets beyond 2030 in supply chains",
        title_ar="تحديد أهداف عمل الأطفال لما بعد عام 2030",
        capacity=2,
    )
    SessionFactory(
        event=event,
        code="other",
        title_en="Social protection floors and the informal economy: what works",
    )
    people = [
        ParticipantFactory(
            event=event,
            name="Maria Fernanda de los Ángeles Gutiérrez Rodríguez",
            email=LONG_ADDRESS,
            organisation="Confederación Sindical de Trabajadores y Trabajadoras "
            "de las Américas",
        ),
        ParticipantFactory(
            event=event,
            name="يوسف العلوي",
            email="walker-ar@example.org",
            organisation="جمعية حماية الطفولة",
        ),
        ParticipantFactory(event=event, name="Amina Benali", organisation=""),
    ]
    for person in people:  # the third waits: the words of both statuses show
        booking_create(
            participant=person,
            session=lab,
            actor=Actor.delegate(),
            access_needs=["wheelchair", "sign_language"],
            access_needs_note="Needs a seat near the interpreters' booth",
        )
    user = User.objects.create_user(
        "secretariat", "secretariat@example.org", "a-long-pass-phrase"
    )
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    return slug


@pytest.mark.parametrize("language", ["en", "ar"])
def test_at_1280_px_no_word_of_the_roster_or_delegates_breaks_across_lines(
    browser: Browser, live_server, busy_session, language
):
    base = f"{live_server.url}/{language}/backoffice"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base}/login/")
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", "a-long-pass-phrase")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        for name, path in (
            ("roster", f"/{busy_session}/s/lab/roster/"),
            ("delegates", f"/{busy_session}/delegates/"),
        ):
            page.goto(base + path)
            assert page.locator("main table tbody tr").count() == 3, name
            split = page.evaluate(SPLIT_WORDS)
            sideways = page.evaluate(SIDEWAYS)
            if split or sideways:
                keep_screenshot(page, f"table-1280-{language}-{name}")
            assert split == [], f"{language} {name}: words split across lines"
            assert sideways == 0, f"{language} {name}: the table scrolls sideways"
            parts = page.evaluate(ADDRESS_LINES, LONG_ADDRESS)
            assert "".join(part for part, _top in parts) == LONG_ADDRESS
            # Where the address wraps, the new line starts with a whole part.
            assert [part for part, _top in parts] == [
                "maria",
                ".fernanda",
                ".gutierrez",
                ".rodriguez@",
                "trabajadores-americas",
                ".example",
                ".org",
            ]
    finally:
        context.close()
