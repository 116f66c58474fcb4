"""What leaves the Groups page: emailing each delegate their table (asked
first, refused for a draft), and the printed table cards and per-round table
lists, read back with pdftotext; for the session's organisers and the
secretariat only."""

import io
import re
import shutil
import subprocess

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from majlis.backoffice.models import StaffRole
from majlis.backoffice.tests.test_pdf_exports import word_extents
from majlis.bookings.services import Actor, booking_create
from majlis.groups import services
from majlis.groups.models import GroupPlan, GroupSeat
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db
GROUPS = "/{language}/backoffice/casa/s/cafe/groups/"
ARABIC_NAME = "يوسف العلوي"
ARABIC_ORGANISATION = "جمعية حماية الطفولة"
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
TOPICS = [
    {"en": "Care work", "ar": "أعمال الرعاية"},
    {"en": "Equal pay", "ar": "المساواة في الأجر"},
    {"en": "Social protection", "ar": "الحماية الاجتماعية"},
]


@pytest.fixture
def world():
    event = EventFactory(slug="casa")
    cafe = SessionFactory(event=event, code="cafe", title_en="Income and gender")
    other = SessionFactory(
        event=event,
        code="other",
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    bookings = []
    for i in range(9):
        name, organisation = (
            (ARABIC_NAME, ARABIC_ORGANISATION)
            if i == 0
            else (f"Person {i}", f"Org {i % 4}")
        )
        participant = ParticipantFactory(
            event=event,
            name=name,
            organisation=organisation,
            email=f"person{i}@example.org",
        )
        bookings.append(
            booking_create(
                participant=participant, session=cafe, actor=Actor.delegate()
            )
        )
    users = {}
    for name, role, sessions in (
        ("secretariat", "secretariat", []),
        ("organiser", "organiser", [cafe]),
        ("elsewhere", "organiser", [other]),
        ("door", "door", [cafe]),
    ):
        user = User.objects.create_user(name, f"{name}@example.org", "pw-123-long")
        StaffRole.objects.create(user=user, event=event, role=role).sessions.set(
            sessions
        )
        users[name] = user
    return {"session": cafe, "bookings": bookings, "users": users}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def planned(world, **kwargs) -> GroupPlan:
    options = {"kind": "cafe", "tables": 3, "rounds": 2} | kwargs
    return services.plan_groups(
        actor=world["users"]["organiser"], session=world["session"], **options
    )


def published(world, **kwargs) -> GroupPlan:
    return services.publish(
        actor=world["users"]["organiser"], plan=planned(world, **kwargs)
    )


def queued() -> int:
    return OutboxMessage.objects.filter(kind="group_seats").count()


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Email.


def test_the_groups_page_links_to_email_and_print_once_formed(world):
    client = as_user(world["users"]["organiser"])
    page = GROUPS.format(language="en")
    assert "Email and print" not in client.get(page).content.decode()
    planned(world)
    html = client.get(page).content.decode()
    assert "Publish the arrangement to email each delegate their table." in html
    assert 'href="/en/backoffice/casa/s/cafe/groups/cards.pdf"' in html
    assert 'href="/en/backoffice/casa/s/cafe/groups/tables.pdf"' in html
    services.publish(actor=world["users"]["organiser"], plan=GroupPlan.objects.get())
    html = client.get(page).content.decode()
    assert 'href="/en/backoffice/casa/s/cafe/groups/email/"' in html


def test_emailing_asks_first_then_queues_one_message_each(world):
    plan = published(world)
    client = as_user(world["users"]["organiser"])
    confirm = client.get(GROUPS.format(language="en") + "email/")
    html = confirm.content.decode()
    assert "9 delegates will receive, in their own language" in html
    assert "Send 9 emails" in html
    assert queued() == 0  # asking sends nothing
    answer = client.post(
        GROUPS.format(language="en") + "email/",
        {"version": plan.version},
        follow=True,
    )
    assert page_messages(answer) == ["9 delegates will receive their table by email."]
    assert queued() == 9
    plan.refresh_from_db()
    assert plan.emailed_at is not None
    again = client.get(GROUPS.format(language="en") + "email/").content.decode()
    assert "The tables were already emailed on" in again


def test_a_draft_is_not_emailed_from_the_page(world):
    plan = planned(world)
    client = as_user(world["users"]["organiser"])
    confirm = client.get(GROUPS.format(language="en") + "email/").content.decode()
    assert "Publish the arrangement before emailing" in confirm
    assert "Send 9 emails" not in confirm
    answer = client.post(
        GROUPS.format(language="fr") + "email/", {"version": plan.version}, follow=True
    )
    with translation.override("fr"):
        expected = translation.gettext(
            "Publish the arrangement before emailing the delegates their tables."
        )
    assert page_messages(answer) == [expected]
    assert queued() == 0


def test_an_email_sent_from_an_older_page_is_refused(world):
    plan = published(world)
    answer = as_user(world["users"]["organiser"]).post(
        GROUPS.format(language="en") + "email/",
        {"version": plan.version - 1},
        follow=True,
    )
    assert len(page_messages(answer)) == 1
    assert "changed" in page_messages(answer)[0]
    assert queued() == 0


def test_an_email_without_a_version_is_refused(world):
    published(world)
    answer = as_user(world["users"]["organiser"]).post(
        GROUPS.format(language="en") + "email/", {"version": "x"}, follow=True
    )
    assert page_messages(answer) == ["Some of what was sent is not valid."]
    assert queued() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretariat", 200),
        ("organiser", 200),
        ("elsewhere", 404),
        ("door", 403),
        (None, 302),
    ],
)
def test_only_the_sessions_organisers_and_the_secretariat_email(world, who, status):
    plan = published(world)
    client = as_user(world["users"][who]) if who else Client()
    address = GROUPS.format(language="en") + "email/"
    assert client.get(address).status_code == status
    posted = client.post(address, {"version": plan.version})
    assert posted.status_code == (302 if status == 200 else status)
    assert queued() == (9 if status == 200 else 0)


# Print.


def pdftotext(pdf: bytes, tmp_path, page: int | None = None) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is needed (scripts/install-system-deps installs it)")
    path = tmp_path / "print.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    # pdftotext marks the direction of runs (numbers in Arabic text) with
    # Unicode's embedding controls; the words are what is checked.
    return BIDI_CONTROLS.sub("", text)


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout


def download(world, kind: str, language: str = "en", who: str = "organiser"):
    return as_user(world["users"][who]).get(
        GROUPS.format(language=language) + f"{kind}.pdf"
    )


def test_table_cards_are_one_tent_per_table_with_its_topic(world, tmp_path):
    planned(world, kind="topics", tables=None, rounds=1, topics=TOPICS)
    answer = download(world, "cards", "ar")
    assert answer["Content-Type"] == "application/pdf"
    assert 'filename="cafe-cards.pdf"' in answer["Content-Disposition"]
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 3
    for page in reader.pages:  # A4 landscape, to fold along its long axis
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (842, 595)
    for number, topic in enumerate(TOPICS, start=1):
        sheet = pdftotext(answer.content, tmp_path, page=number)
        # Both halves of the tent, in Arabic, shaped and mapped back.
        assert sheet.count(f"الطاولة {number}") == 2, sheet
        assert sheet.count(topic["ar"]) == 2, sheet
    assert "Arabic" in fonts_of(answer.content, tmp_path)


def test_a_cafes_cards_carry_the_table_number_alone(world, tmp_path):
    planned(world)
    answer = download(world, "cards")
    text = pdftotext(answer.content, tmp_path)
    assert [text.count(f"Table {n}") for n in (1, 2, 3)] == [2, 2, 2]
    assert "Care work" not in text


def test_the_tables_of_each_round_list_who_sits_there(world, tmp_path):
    plan = planned(world, hosts={world["bookings"][1].pk: 3})
    answer = download(world, "tables")
    assert 'filename="cafe-tables.pdf"' in answer["Content-Disposition"]
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 2  # a round a page
    for number in (1, 2):
        text = pdftotext(answer.content, tmp_path, page=number)
        assert f"Round {number}" in text
        assert "Tables: Income and gender" in text
        # The zone as people name it, as every page and the attendance sheet.
        assert "(Morocco Time, GMT+1)" in text, text
        assert "Africa/Casablanca" not in text
        blocks = re.split(r"\nTable (\d)\n", text)
        seated = {int(blocks[i]): blocks[i + 1] for i in range(1, len(blocks) - 1, 2)}
        assert sorted(seated) == [1, 2, 3], text
        for seat in GroupSeat.objects.filter(plan=plan, round=number).select_related(
            "booking__participant"
        ):
            person = seat.booking.participant
            assert person.name in seated[seat.table], (person.name, seat.table, text)
            assert person.organisation in seated[seat.table]
        assert "Person 1 (host)" in seated[3]


@pytest.mark.parametrize(
    ("language", "zone"), [("en", "Morocco Time"), ("ar", "المغرب")]
)
def test_the_tables_name_the_time_zone_in_words(world, tmp_path, language, zone):
    """As the delegates' pages and emails do: "Morocco Time, GMT+1", not the
    database's "Africa/Casablanca"."""
    planned(world)
    text = pdftotext(download(world, "tables", language).content, tmp_path)
    assert zone in text, text
    assert "Africa/Casablanca" not in text


def test_the_tables_print_in_arabic_with_an_arabic_font(world, tmp_path):
    planned(world)
    answer = download(world, "tables", "ar")
    text = pdftotext(answer.content, tmp_path)
    assert "الجولة 1" in text and "الجولة 2" in text
    assert text.count(ARABIC_NAME) == 2  # once a round
    assert ARABIC_ORGANISATION in text
    assert "Arabic" in fonts_of(answer.content, tmp_path)


@pytest.mark.parametrize(
    ("who", "status"),
    [("secretariat", 200), ("organiser", 200), ("elsewhere", 404), ("door", 403)],
)
def test_only_the_sessions_organisers_and_the_secretariat_print(world, who, status):
    planned(world)
    for kind in ("cards", "tables"):
        assert download(world, kind, who=who).status_code == status
    assert Client().get(GROUPS.format(language="en") + "cards.pdf").status_code == 302


def test_nothing_to_print_before_the_groups_are_formed(world):
    assert download(world, "cards").status_code == 404
    planned(world)
    assert download(world, "other").status_code == 404


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_name_and_organisation_of_the_tables_is_aligned_by_its_own_direction(
    world, language, tmp_path
):
    """In the tables of each round, an Arabic name or organisation starts at
    the right edge of its cell and a Latin one at the left, on an English
    sheet as on an Arabic one."""
    planned(world)
    pdf = download(world, "tables", language).content
    for arabic, latin in (
        (ARABIC_NAME, {"Person"}),
        (ARABIC_ORGANISATION, {"Org"}),
    ):
        # The first round's page: each name is on every round's.
        arabic_left, arabic_right = word_extents(
            pdf, tmp_path, set(arabic.split()), page=1, each_once=False
        )
        latin_left, latin_right = word_extents(
            pdf, tmp_path, latin, page=1, each_once=False
        )
        # Aligned on the same edge, the longer words would stick out past the
        # shorter ones on one side only.
        assert arabic_right > latin_right + 20, (arabic, language)
        assert arabic_left > latin_left + 20, (arabic, language)
