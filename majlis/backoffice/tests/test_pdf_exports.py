"""The printable attendance sheet and name cards, read back: Arabic names come
out in logical order with an Arabic font, and the page renders."""

import shutil
import subprocess

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from pypdf import PdfReader

from majlis.backoffice.models import StaffRole
from majlis.backoffice.pdf import attendance_sheet_pdf, name_cards_pdf
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
ARABIC_NAME = "يوسف العلوي"


@pytest.fixture
def session():
    event = EventFactory(slug="casa")
    session = SessionFactory(event=event, code="talk", title_ar="مستقبل العمل")
    for name, organisation in (
        (ARABIC_NAME, "جمعية حماية الطفولة"),
        ("Amina Benali", "Ministry of Labour"),
    ):
        person = ParticipantFactory(event=event, name=name, organisation=organisation)
        booking_create(participant=person, session=session, actor=Actor.delegate())
    return session


def bookings_of(session):
    return Booking.objects.filter(session=session).select_related("participant")


def pdftotext(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is needed (scripts/install-system-deps installs it)")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def embedded_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_attendance_sheet_lists_the_confirmed_with_a_signature_column(
    session, language, tmp_path
):
    with translation.override(language):
        pdf = attendance_sheet_pdf(session, bookings_of(session))
        signature = translation.gettext("Signature")
    assert pdf.startswith(b"%PDF")
    text = pdftotext(pdf, tmp_path)
    assert ARABIC_NAME in text, (
        text
    )  # extracted in logical order: shaped glyphs map back
    assert "Amina Benali" in text
    assert signature in text
    assert "16:30" in text  # the event's local time, not UTC
    assert "Arabic" in embedded_fonts(pdf, tmp_path)  # a font that has the letters
    reader = PdfReader(__import__("io").BytesIO(pdf))
    assert len(reader.pages) == 1


def test_name_cards_print_each_confirmed_delegate(session, tmp_path):
    with translation.override("ar"):
        pdf = name_cards_pdf(session, bookings_of(session))
    text = pdftotext(pdf, tmp_path)
    assert ARABIC_NAME in text and "جمعية حماية الطفولة" in text
    assert "Amina Benali" in text


def test_the_first_page_renders_to_an_image_with_ink_on_it(session, tmp_path):
    with translation.override("ar"):
        pdf = attendance_sheet_pdf(session, bookings_of(session))
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "sheet.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    from PIL import Image

    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path).convert("L")
    dark = sum(1 for value in image.get_flattened_data() if value < 128)
    assert dark > 1000, "the page rendered blank"


def test_organisers_download_the_pdfs_of_their_sessions(client, session):
    user = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=user, event=session.event, role="organiser")
    role.sessions.add(session)
    client.force_login(user)
    sheet = client.get("/ar/backoffice/casa/s/talk/roster.pdf")
    cards = client.get("/ar/backoffice/casa/s/talk/roster.cards.pdf")
    assert sheet["Content-Type"] == cards["Content-Type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF") and cards.content.startswith(b"%PDF")
