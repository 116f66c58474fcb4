"""On Arabic pages, every piece of text that people typed (names,
organisations, addresses, titles, rooms, notes) is isolated from the sentence
around it, in a <bdi> or an element with its own dir, so that a Latin name
neither jumps around nor drags the Arabic words next to it; and every field
where people type text has dir="auto". Read from the HTML, page by page."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.events.models import Session
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
TEXT_INPUTS = {"text", "email", "search", "url", "tel"}
# Typed by organisers and delegates, none of them translated into Arabic.
USER_TEXTS = [
    "Amina Benali",
    "Ministry of Labour",
    ".benali@",  # a part of her address, which wraps between its parts
    "Future of work in supply chains",
    "Conference of the Atlas",
    "Atlas Room 1",
    "Near the interpreters",
    "ILO Geneva",
]


class IsolationReader(HTMLParser):
    """Each run of text with whether it sits in an isolate (a <bdi>, or an
    element other than <html> with a dir), and each field where people type."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.texts: list[tuple[str, bool]] = []
        self.fields: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "textarea" or (
            tag == "input" and attributes.get("type", "text") in TEXT_INPUTS
        ):
            self.fields.append(attributes)
        if tag in VOID:
            return
        isolates = tag == "bdi" or (tag != "html" and "dir" in attributes)
        self.open.append((tag, isolates))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(tag in ("script", "title") for tag, _ in self.open):
            self.texts.append((data, any(isolates for _, isolates in self.open)))


def read(html: str) -> IsolationReader:
    reader = IsolationReader()
    reader.feed(html)
    return reader


def test_the_reader_sees_a_name_left_in_an_arabic_sentence():
    """The check itself: a name written straight into a sentence is found."""
    page = read(
        '<html dir="rtl"><p>سجّل Amina Benali الدخول</p>'
        "<p>سجّل <bdi>Amina Benali</bdi></p><input name=q></html>"
    )
    assert [isolated for text, isolated in page.texts if "Amina" in text] == [
        False,
        True,
    ]
    assert page.fields == [{"name": "q"}]


@pytest.fixture
def pages(client: Client):
    event = EventFactory(
        slug="atlas", name_en="Conference of the Atlas", name_ar="", venue_en="Rabat"
    )
    session = SessionFactory(
        event=event,
        code="work",
        title_en="Future of work in supply chains",
        title_fr="",
        title_ar="",
        room_en="Atlas Room 1",
        organisers=["ILO Geneva"],
    )
    SessionFactory(event=event, code="other", title_ar="جلسة أخرى")
    amina = ParticipantFactory(
        event=event,
        name="Amina Benali",
        email="amina.benali@labour.example.org",
        organisation="Ministry of Labour",
    )
    booking = booking_create(
        participant=amina,
        session=session,
        actor=Actor.delegate(),
        access_needs=["wheelchair"],
        access_needs_note="Near the interpreters",
    )
    delegate = Client()
    store = delegate.session
    store[SESSION_KEY] = amina.pk
    store.save()
    user = User.objects.create_user("sec", "sec@example.org", "a-long-pass-phrase")
    role = StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return {
        "delegate": delegate,
        "staff": client,
        "ids": {"delegate": amina.pk, "booking": booking.pk, "role": role.pk},
    }


DELEGATE_PAGES = ["/ar/e/atlas/", "/ar/e/atlas/s/work/", "/ar/e/atlas/me/"]
STAFF_PAGES = [
    "/ar/backoffice/atlas/",
    "/ar/backoffice/atlas/dashboard/",
    "/ar/backoffice/atlas/settings/",
    "/ar/backoffice/atlas/s/work/roster/",
    "/ar/backoffice/atlas/s/work/edit/",
    "/ar/backoffice/atlas/s/work/messages/",
    "/ar/backoffice/atlas/delegates/",
    "/ar/backoffice/atlas/delegates/{delegate}/",
    "/ar/backoffice/atlas/staff/",
]


def test_on_arabic_pages_text_people_typed_is_isolated_and_fields_type_in_either_direction(
    pages,
):
    seen = set()
    for who, paths in (("delegate", DELEGATE_PAGES), ("staff", STAFF_PAGES)):
        for path in paths:
            path = path.format(**pages["ids"])
            response = pages[who].get(path)
            assert response.status_code == 200, path
            page = read(response.content.decode())
            for text, isolated in page.texts:
                for typed in USER_TEXTS:
                    if typed in text:
                        seen.add(typed)
                        assert isolated, f"{path}: {typed!r} not isolated in {text!r}"
            for field in page.fields:
                if field.get("type") == "hidden":
                    continue
                assert field.get("dir") in ("auto", "ltr"), f"{path}: {field}"
    assert seen == set(USER_TEXTS)  # each was on some page


def test_the_calendar_link_keeps_its_dot_before_ics_on_arabic_pages(pages):
    html = pages["delegate"].get("/ar/e/atlas/me/").content.decode()
    assert '(<bdi dir="ltr">.ics</bdi>)' in html


def said(response) -> IsolationReader:
    """The messages a page shows after a change (its status region)."""
    html = response.content.decode()
    start = html.index('<div id="messages"')
    return read(html[start : html.index("</div>", start)])


def test_on_arabic_pages_the_messages_after_a_change_isolate_what_people_typed(
    pages,
):
    """What a change says (a switch, a move, a cancellation, a staff
    invitation, a role saved or removed) names people, sessions and addresses
    as their own runs of text, as the pages do."""
    delegate, staff = pages["delegate"], pages["staff"]
    sessions = "/ar/backoffice/atlas/s"
    form_token = re.search(
        r'name="form_token" value="([^"]+)"',
        delegate.get("/ar/e/atlas/s/other/").content.decode(),
    )
    assert form_token, "the session page offers the switch"
    changes = {
        "switch": delegate.post(
            "/ar/e/atlas/s/other/book/",
            {"form_token": form_token[1], "switch": "1"},
            follow=True,
        )
    }
    moved = Booking.objects.get(
        participant_id=pages["ids"]["delegate"], status="confirmed"
    )
    work = Session.objects.get(code="work")
    changes["move"] = staff.post(
        f"{sessions}/other/bookings/{moved.pk}/move/",
        {"to_session": work.pk, "confirm": "1"},
        follow=True,
    )
    back = Booking.objects.get(
        participant_id=pages["ids"]["delegate"], status="confirmed"
    )
    changes["cancel"] = staff.post(
        f"{sessions}/work/bookings/{back.pk}/cancel/", {"confirm": "1"}, follow=True
    )
    changes["invite"] = staff.post(
        "/ar/backoffice/atlas/staff/",
        {"email": "door.keeper@example.org", "role": "door", "sessions": [work.pk]},
        follow=True,
    )
    door = StaffRole.objects.get(user__email="door.keeper@example.org")
    changes["role saved"] = staff.post(
        f"/ar/backoffice/atlas/staff/{door.pk}/",
        {"role": "organiser", "sessions": [work.pk]},
        follow=True,
    )
    changes["role removed"] = staff.post(
        f"/ar/backoffice/atlas/staff/{door.pk}/remove/", {"confirm": "1"}, follow=True
    )
    typed = (
        "Amina Benali",
        "Future of work in supply chains",
        "door.keeper@example.org",
    )
    for change, response in changes.items():
        assert response.status_code == 200, change
        texts = said(response).texts
        named = [
            (text, isolated) for text, isolated in texts for t in typed if t in text
        ]
        assert named, (change, texts)
        for text, isolated in named:
            assert isolated, f"{change}: not isolated in {text!r}"


def test_on_arabic_pages_the_warning_of_an_address_with_a_role_isolates_it(pages):
    """Inviting an address that has a role here warns, naming the address,
    isolated like the rest of the page."""
    staff = pages["staff"]
    work = Session.objects.get(code="work")
    invite = {"email": "door.keeper@example.org", "sessions": [work.pk]}
    staff.post("/ar/backoffice/atlas/staff/", invite | {"role": "door"})
    warned = staff.post("/ar/backoffice/atlas/staff/", invite | {"role": "organiser"})
    assert warned.status_code == 200
    named = [
        (text, isolated)
        for text, isolated in read(warned.content.decode()).texts
        if "door.keeper@example.org" in text
    ]
    assert len(named) >= 2, named  # in the summary at the top and by the box
    for text, isolated in named:
        assert isolated, f"not isolated in {text!r}"


ISOLATED_PAIR = "<bdi>ILO Geneva</bdi>، <bdi>منظمة العمل</bdi>"


def test_on_arabic_pages_each_name_of_a_list_is_isolated_on_its_own(pages):
    """A Latin and an Arabic name in one isolate would read in the wrong order
    on an Arabic page; each gets its own, joined with the Arabic comma."""
    session = Session.objects.get(code="work")
    session.organisers = ["ILO Geneva", "منظمة العمل"]
    session.save()
    lab = SessionFactory(
        event=session.event, code="lab", title_en="Policy lab", title_fr="", title_ar=""
    )
    door = User.objects.create_user("door", "door@example.org", "a-long-pass-phrase")
    role = StaffRole.objects.create(user=door, event=session.event, role="door")
    role.sessions.add(session, lab)
    staff = pages["staff"]

    programme = pages["delegate"].get("/ar/e/atlas/").content.decode()
    detail = pages["delegate"].get("/ar/e/atlas/s/work/").content.decode()
    removal = staff.get(f"/ar/backoffice/atlas/staff/{role.pk}/remove/")
    compared = staff.post(
        "/ar/backoffice/atlas/staff/",
        {"email": "door@example.org", "role": "organiser", "sessions": [lab.pk]},
    )

    assert ISOLATED_PAIR in programme
    assert ISOLATED_PAIR in detail
    titles = "<bdi>Future of work in supply chains</bdi>، <bdi>Policy lab</bdi>"
    assert titles in removal.content.decode()
    assert "<bdi>Policy lab</bdi>" in compared.content.decode()
