"""The printable attendance sheet and name cards, read back: Arabic names come
out in logical order with an Arabic font, and the page renders."""

import io
import re
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


def word_extents(
    pdf: bytes,
    tmp_path,
    words: set[str],
    *,
    page: int | None = None,
    each_once: bool = True,
) -> tuple[float, float]:
    """The left and right edges, in points, of the words given, as laid out
    (on ``page`` only if given): each found exactly once, or with
    ``each_once=False`` each at least once. pdftotext writes an Arabic word's
    letters in the order they are drawn."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    boxes = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, "-bbox", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    found = [
        (float(left), float(right), word if word in words else word[::-1])
        for left, right, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<',
            boxes,
        )
        if word in words or word[::-1] in words
    ]
    if each_once:
        assert len(found) == len(words), boxes
    assert {word for _, _, word in found} == words, boxes
    return min(left for left, _, _ in found), max(right for _, right, _ in found)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_name_on_the_attendance_sheet_is_aligned_by_its_own_direction(
    session, language, tmp_path
):
    """An Arabic name starts at the right edge of its cell and a Latin one at
    the left, on an English sheet as on an Arabic one."""
    with translation.override(language):
        pdf = attendance_sheet_pdf(session, bookings_of(session))
    arabic_left, arabic_right = word_extents(pdf, tmp_path, set(ARABIC_NAME.split()))
    latin_left, latin_right = word_extents(pdf, tmp_path, {"Amina", "Benali"})
    # The two names are about as wide (50 and 65 points): aligned on the same
    # edge, one would stick out past the other on both sides or on neither.
    assert arabic_right > latin_right + 20
    assert arabic_left > latin_left + 20


def test_name_cards_are_table_tents_with_the_name_on_both_halves(session, tmp_path):
    with translation.override("ar"):
        pdf = name_cards_pdf(session, bookings_of(session))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # one sheet per confirmed delegate
    for page in reader.pages:  # A4 landscape, to fold along its long axis
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (842, 595)
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    first_sheet = pdftotext_page(path, 1)
    # Shaped Arabic maps back to the name in logical order, once per half.
    assert first_sheet.count(ARABIC_NAME) == 2, first_sheet
    assert first_sheet.count("جمعية حماية الطفولة") == 2
    assert pdftotext_page(path, 2).count("Amina Benali") == 2
    assert "Arabic" in embedded_fonts(pdf, tmp_path)


def test_the_upper_half_of_a_table_tent_is_the_lower_half_turned_over(
    session, tmp_path
):
    from PIL import Image

    with translation.override("ar"):
        pdf = name_cards_pdf(session, bookings_of(session))
    image = Image.open(render_page(pdf, tmp_path, page=1, dpi=60)).convert("L")
    width, height = image.size
    upper = image.crop((0, 0, width, height // 2))
    lower = image.crop((0, height - height // 2, width, height))
    assert ink(upper) > 500 and ink(lower) > 500, "a half of the tent is blank"
    # Turned 180 degrees, the upper half matches the lower one (compared on
    # their inked areas, as rendering may shift a pixel), so the name reads
    # from both sides of the table; as printed, the two differ.
    turned, lower_text = inked_area(upper.rotate(180)), inked_area(lower)
    assert abs(turned.width - lower_text.width) <= 2
    assert abs(turned.height - lower_text.height) <= 2
    turned = turned.resize(lower_text.size)
    assert disagreement(turned, lower_text) < ink(lower_text) * 0.3  # ~0.1 seen
    unturned = inked_area(upper).resize(lower_text.size)
    assert disagreement(unturned, lower_text) > ink(lower_text)  # ~2 seen


def pdftotext_page(path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), path, "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def render_page(pdf: bytes, tmp_path, page: int = 1, dpi: int = 50):
    (tmp_path / "render.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            str(tmp_path / "render.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    return image_path


def ink(image) -> int:
    """How many pixels of a greyscale image are dark."""
    return sum(1 for value in image.get_flattened_data() if value < 128)


def inked_area(image):
    """The smallest part of a greyscale image holding all its dark pixels."""
    from PIL import ImageOps

    box = ImageOps.invert(image).point(lambda v: 255 if v > 127 else 0).getbbox()
    assert box is not None, "nothing printed"
    return image.crop(box)


def disagreement(one, other) -> int:
    """How many pixels differ clearly between two greyscale images."""
    from PIL import ImageChops

    difference = ImageChops.difference(one, other)
    return sum(1 for value in difference.get_flattened_data() if value > 128)


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
