"""What each email says, as a real SMTP server receives it: subject, body,
calendar file and check-in QR code, in the delegate's language and the event's
time zone."""

import io
import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from icalendar import Calendar

from majlis.accounts.models import hash_secret
from majlis.accounts.services import magic_link_consume, magic_link_request
from majlis.bookings.calendar import checkin_qr_png
from majlis.bookings.models import Booking
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    session_release_no_shows,
)
from majlis.core.time_zones import zone_name
from majlis.outbox.services import outbox_send_due
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.testing.text import isolated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_to_smtp")]

ME = Actor.delegate()
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def casablanca_afternoon_off_utc(days_from_now: int = 30) -> datetime:
    """16:30 in Casablanca on a future day when Casablanca is not on UTC (it is
    UTC+1 but for Ramadan), so a time shown in UTC by mistake cannot pass."""
    day = (timezone.now() + timedelta(days=days_from_now)).astimezone(CASABLANCA)
    while True:
        start = datetime(day.year, day.month, day.day, 16, 30, tzinfo=CASABLANCA)
        if start.utcoffset() and (start + timedelta(hours=2)).utcoffset():
            return start
        day += timedelta(days=1)


@pytest.fixture
def event():
    return EventFactory(slug="future-of-work")


@pytest.fixture
def session(event):
    starts = casablanca_afternoon_off_utc()
    return SessionFactory(
        event=event,
        code="ai-and-jobs",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )


def book(participant, session, **kwargs) -> Booking:
    return booking_create(participant=participant, session=session, actor=ME, **kwargs)


def deliver(server) -> list[EmailMessage]:
    """Send what is due and return the messages the server received by it."""
    already = len(server.messages)
    outbox_send_due()
    return server.messages[already:]


def only_one_to(messages: list[EmailMessage], address: str) -> EmailMessage:
    mine = [m for m in messages if m["To"].addresses[0].addr_spec == address]
    assert len(mine) == 1, f"expected one message to {address}, got {len(mine)}"
    return mine[0]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def attachments_of(message: EmailMessage) -> dict[str, EmailMessage]:
    return {part.get_content_type(): part for part in message.iter_attachments()}


def calendar_of(message: EmailMessage) -> Calendar:
    part = attachments_of(message)["text/calendar"]
    assert part.get_filename().endswith(".ics")
    return Calendar.from_ical(part.get_payload(decode=True))


def only_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


# --- the confirmation ------------------------------------------------------------


def test_confirmation_names_the_session_in_the_delegates_language(
    mail_to_smtp, session
):
    delegate = ParticipantFactory(event=session.event, language="fr")
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    delivery = mail_to_smtp.deliveries[-1]
    assert delivery.rcpt_tos == [delegate.email]
    assert delivery.mail_from == "no-reply@majlis.invalid"
    assert session.title_fr in message["Subject"]
    assert session.title_en not in message["Subject"]
    body = text_of(message)
    assert session.title_fr in body
    assert session.title_en not in body
    assert delegate.name in body
    # Links lead to the French pages.
    assert "/fr/e/future-of-work/s/ai-and-jobs/" in body
    assert str(only_event(calendar_of(message))["SUMMARY"]) == session.title_fr


def test_confirmation_subject_and_body_in_english(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event, language="en")
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    assert message["Subject"] == f"Your seat is confirmed: {isolated(session.title_en)}"
    body = text_of(message)
    assert f'Your seat in "{isolated(session.title_en)}" is confirmed.' in body
    assert f"Your check-in code: {delegate.checkin_code}." in body
    assert f"Room: {isolated('Atlas 1')}" in body


def test_confirmation_calendar_holds_the_session_instants_in_utc(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event, language="fr")
    booking = book(delegate, session)

    [message] = deliver(mail_to_smtp)

    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "PUBLISH"
    entry = only_event(calendar)
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["UID"]).startswith(f"booking-{booking.pk}@")
    for name, instant in (("DTSTART", session.starts_at), ("DTEND", session.ends_at)):
        prop = entry[name]
        # UTC ("Z"), which every calendar converts to its reader's own zone.
        assert "TZID" not in prop.params
        assert prop.dt.utcoffset() == timedelta(0)
        assert prop.dt.astimezone(UTC) == instant.astimezone(UTC)
    assert calendar.walk("VTIMEZONE") == []
    local = session.starts_at.astimezone(CASABLANCA)
    assert (local.hour, local.minute) == (16, 30)


def test_confirmation_body_gives_the_local_times_of_the_session(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event, language="en")
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    [line] = [
        line
        for line in text_of(message).splitlines()
        if line.endswith(f"({zone_name('Africa/Casablanca', session.starts_at, 'en')})")
    ]
    shown = re.fullmatch(r"(?P<day>.+), (?P<start>.+) to (?P<end>.+) \(.+\)", line)
    assert shown, line

    def ways_to_write(instant: datetime) -> set[str]:
        with translation.override("en"):
            return {
                dateformat.format(instant, time_format)
                for time_format in ("H:i", "G:i", "P", get_format("TIME_FORMAT"))
            }

    for name, instant in (("start", session.starts_at), ("end", session.ends_at)):
        local = instant.astimezone(CASABLANCA)
        assert shown[name] in ways_to_write(local), (name, line)
        assert shown[name] not in ways_to_write(instant.astimezone(UTC)), (name, line)


def test_a_session_in_ramadan_is_written_at_its_true_instant(mail_to_smtp):
    """Casablanca is on UTC from 2027-02-07 to 2027-03-14 (Ramadan), else UTC+1:
    16:30 local that day is 16:30 UTC, not 15:30."""
    starts = datetime(2027, 2, 20, 16, 30, tzinfo=CASABLANCA)
    assert starts.utcoffset() == timedelta(0)
    session = SessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    delegate = ParticipantFactory(event=session.event)
    book(delegate, session, enforce_window=False)

    [message] = deliver(mail_to_smtp)

    entry = only_event(calendar_of(message))
    assert entry["DTSTART"].dt == datetime(2027, 2, 20, 16, 30, tzinfo=UTC)
    assert entry["DTEND"].dt == datetime(2027, 2, 20, 18, 30, tzinfo=UTC)


def test_confirmation_carries_a_png_of_the_check_in_qr_code(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event)
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    part = attachments_of(message)["image/png"]
    assert part.get_filename() == "check-in.png"
    png = part.get_payload(decode=True)
    assert png.startswith(PNG_SIGNATURE)
    # The symbol segno draws for this delegate's code, not for anybody else's,
    # and not a byte changed on the way.
    assert png == checkin_qr_png(delegate.checkin_code)
    assert png != checkin_qr_png("ZZZZ2222")


def read_qr_codes(png: bytes) -> list:
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    return zxingcpp.read_barcodes(image_module.open(io.BytesIO(png)))


def test_the_qr_code_reads_back_as_the_check_in_code(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event)
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    png = attachments_of(message)["image/png"].get_payload(decode=True)
    assert [code.text for code in read_qr_codes(png)] == [delegate.checkin_code]


def test_the_check_in_code_is_a_regular_qr_code(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event)
    book(delegate, session)

    [message] = deliver(mail_to_smtp)

    png = attachments_of(message)["image/png"].get_payload(decode=True)
    zxingcpp = pytest.importorskip("zxingcpp")
    [code] = read_qr_codes(png)
    assert code.text == delegate.checkin_code
    assert code.format == zxingcpp.BarcodeFormat.QRCode


# --- the waiting list, a promotion and a cancellation --------------------------


def test_waitlisted_email_gives_the_position_and_no_attachments(mail_to_smtp, event):
    session = SessionFactory(event=event, capacity=1)
    holder, first, second = ParticipantFactory.create_batch(3, event=event)
    book(holder, session)
    book(first, session)
    book(second, session)

    messages = deliver(mail_to_smtp)

    assert len(messages) == 3
    for delegate, position in ((first, 1), (second, 2)):
        message = only_one_to(messages, delegate.email)
        assert message["Subject"] == (
            f"You are on the waiting list: {isolated(session.title_en)}"
        )
        body = text_of(message)
        assert "is full, so you are on its waiting list, in position " in body
        assert f"in position {position}." in body
        assert attachments_of(message) == {}


def test_waitlisted_email_sent_after_a_promotion_still_gives_the_position(
    mail_to_smtp, event
):
    session = SessionFactory(event=event, capacity=1)
    holder, waiting = ParticipantFactory.create_batch(2, event=event)
    held = book(holder, session)
    book(waiting, session)
    booking_cancel(booking=held, actor=ME)  # before the worker ran

    messages = deliver(mail_to_smtp)

    body = text_of(
        next(
            m
            for m in messages
            if m["To"].addresses[0].addr_spec == waiting.email
            and m["Subject"].startswith("You are on the waiting list")
        )
    )
    assert "None" not in body
    assert "in position 1." in body


def test_promoted_email_after_a_cancellation(mail_to_smtp, event):
    session = SessionFactory(event=event, capacity=1)
    holder, waiting = ParticipantFactory.create_batch(2, event=event)
    held = book(holder, session)
    promoted = book(waiting, session)
    deliver(mail_to_smtp)

    booking_cancel(booking=held, actor=ME)
    messages = deliver(mail_to_smtp)

    assert len(messages) == 2
    message = only_one_to(messages, waiting.email)
    assert message["Subject"] == (
        f"A seat has opened for you: {isolated(session.title_en)}"
    )
    body = text_of(message)
    assert (
        f'A seat has opened in "{isolated(session.title_en)}" and it is now yours.'
        in body
    )
    assert f"Your check-in code: {waiting.checkin_code}." in body
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "PUBLISH"
    entry = only_event(calendar)
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["UID"]).startswith(f"booking-{promoted.pk}@")
    assert entry["DTSTART"].dt.astimezone(UTC) == session.starts_at.astimezone(UTC)
    assert (
        attachments_of(message)["image/png"]
        .get_payload(decode=True)
        .startswith(PNG_SIGNATURE)
    )


def test_cancelled_email_carries_a_calendar_cancellation_of_the_same_event(
    mail_to_smtp, session
):
    delegate = ParticipantFactory(event=session.event)
    booking = book(delegate, session)
    [confirmation] = deliver(mail_to_smtp)

    booking_cancel(booking=booking, actor=ME)
    [message] = deliver(mail_to_smtp)

    assert message["Subject"] == (
        f"Your booking is cancelled: {isolated(session.title_en)}"
    )
    assert f'Your booking for "{isolated(session.title_en)}" is cancelled.' in (
        text_of(message)
    )
    assert "check-in code" not in text_of(message)
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    entry = only_event(calendar)
    assert str(entry["STATUS"]) == "CANCELLED"
    published = only_event(calendar_of(confirmation))
    # A calendar removes the event only for the same UID and a higher SEQUENCE.
    assert str(entry["UID"]) == str(published["UID"])
    assert int(entry["SEQUENCE"]) > int(published["SEQUENCE"])
    assert entry["DTSTART"].dt.astimezone(UTC) == session.starts_at.astimezone(UTC)
    assert "image/png" not in attachments_of(message)


def test_a_switch_cancels_the_old_seat_in_the_calendar_and_confirms_the_new(
    mail_to_smtp, session
):
    delegate = ParticipantFactory(event=session.event)
    old = book(delegate, session)
    deliver(mail_to_smtp)
    same_time = SessionFactory(
        event=session.event, starts_at=session.starts_at, ends_at=session.ends_at
    )

    new = book(delegate, same_time, switch=True)
    messages = deliver(mail_to_smtp)

    by_subject = {m["Subject"]: m for m in messages}
    assert set(by_subject) == {
        f"You left {isolated(session.title_en)}",
        f"Your seat is confirmed: {isolated(same_time.title_en)}",
    }
    left = calendar_of(by_subject[f"You left {isolated(session.title_en)}"])
    assert str(left["METHOD"]) == "CANCEL"
    assert str(only_event(left)["UID"]).startswith(f"booking-{old.pk}@")
    joined = calendar_of(
        by_subject[f"Your seat is confirmed: {isolated(same_time.title_en)}"]
    )
    assert str(joined["METHOD"]) == "PUBLISH"
    assert str(only_event(joined)["UID"]).startswith(f"booking-{new.pk}@")


# --- the sign-in link ------------------------------------------------------------


def link_in(message: EmailMessage) -> str:
    """The one line of the body that is a link."""
    [link] = [
        line.strip()
        for line in text_of(message).splitlines()
        if line.startswith(("http://", "https://"))
    ]
    return link


def test_magic_link_email_holds_a_one_time_link_on_the_base_url(
    mail_to_smtp, settings, event
):
    settings.BASE_URL = "https://majlis.example.org"
    delegate = ParticipantFactory(event=event, language="fr", email="amina@example.org")

    magic_link_request(event=event, email="  AMINA@example.org ")
    [message] = deliver(mail_to_smtp)

    assert mail_to_smtp.deliveries[-1].rcpt_tos == ["amina@example.org"]
    assert event.name_fr in message["Subject"]
    assert event.name_en not in message["Subject"]
    link = urlsplit(link_in(message))
    assert (link.scheme, link.netloc, link.query) == ("https", "majlis.example.org", "")
    matched = re.fullmatch(
        r"/fr/e/future-of-work/sign-in/([A-Za-z0-9_-]{43})/", link.path
    )
    assert matched, link.path
    token = matched.group(1)
    assert delegate.magic_links.get().token_hash == hash_secret(token)
    assert magic_link_consume(event=event, raw_token=token) == delegate
    assert magic_link_consume(event=event, raw_token=token) is None


def test_magic_link_email_in_english_says_how_long_it_works(
    mail_to_smtp, settings, event
):
    settings.BASE_URL = "https://majlis.example.org"
    delegate = ParticipantFactory(event=event, language="en")

    magic_link_request(
        event=event, email=delegate.email, next_path="/en/e/future-of-work/me/"
    )
    [message] = deliver(mail_to_smtp)

    assert message["Subject"] == f"Your sign-in link for {isolated(event.name_en)}"
    body = text_of(message)
    assert f"Hello {isolated(delegate.name)}," in body
    assert "The link works once, within 30 minutes." in body
    link = urlsplit(link_in(message))
    assert link.path.startswith("/en/e/future-of-work/sign-in/")
    assert parse_qs(link.query) == {"next": ["/en/e/future-of-work/me/"]}


def test_no_email_for_an_unknown_address(mail_to_smtp, event):
    ParticipantFactory(event=event)

    magic_link_request(event=event, email="stranger@example.org")

    assert deliver(mail_to_smtp) == []


def test_a_confirmation_sent_after_a_cancellation_still_describes_the_seat(
    mail_to_smtp, session
):
    """Both messages reach the worker after the cancellation: each describes its
    own moment, so the confirmation keeps its seat and QR code and the
    cancellation removes the calendar entry."""
    delegate = ParticipantFactory(event=session.event)
    booking = book(delegate, session)
    booking_cancel(booking=booking, actor=Actor.delegate())

    messages = deliver(mail_to_smtp)

    by_method = {str(calendar_of(m)["METHOD"]): m for m in messages}
    assert set(by_method) == {"PUBLISH", "CANCEL"}
    assert "image/png" in attachments_of(by_method["PUBLISH"])
    assert str(only_event(calendar_of(by_method["PUBLISH"]))["STATUS"]) == "CONFIRMED"
    assert "image/png" not in attachments_of(by_method["CANCEL"])


def test_moving_a_session_tells_its_delegates_and_updates_their_calendars(
    mail_to_smtp, session
):
    from majlis.bookings.services import session_move

    seated = ParticipantFactory(event=session.event, email="seated@example.org")
    waiting = ParticipantFactory(event=session.event, email="waiting@example.org")
    type(session).objects.filter(pk=session.pk).update(capacity=1)
    book(seated, session)
    book(waiting, session)
    deliver(mail_to_smtp)
    mail_to_smtp.deliveries.clear() if hasattr(
        mail_to_smtp.deliveries, "clear"
    ) else None

    new_start = session.starts_at + timedelta(days=1)
    session_move(
        session=session,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=2),
        actor=Actor.system(),
    )
    messages = [m for m in deliver(mail_to_smtp) if "New time" in m["Subject"]]

    assert sorted(m["To"] for m in messages) == [
        "seated@example.org",
        "waiting@example.org",
    ]
    to_seated = only_one_to(messages, "seated@example.org")
    entry = only_event(calendar_of(to_seated))
    assert entry["DTSTART"].dt == new_start.astimezone(UTC)
    assert int(entry["SEQUENCE"]) == 2
    to_waiting = only_one_to(messages, "waiting@example.org")
    assert "text/calendar" not in attachments_of(to_waiting)


def test_a_cancellation_by_the_organisers_says_so(mail_to_smtp, session):
    delegate = ParticipantFactory(event=session.event)
    booking = book(delegate, session)
    deliver(mail_to_smtp)
    organiser = User.objects.create_user("o", "o@example.org", "pw-123-long")

    booking_cancel(booking=booking, actor=Actor.organiser(organiser))
    [message] = deliver(mail_to_smtp)

    assert message["Subject"] == (
        f"Your booking is cancelled: {isolated(session.title_en)}"
    )
    assert (
        f'The organisers cancelled your booking for "{isolated(session.title_en)}".'
        in text_of(message)
    )


def test_a_seat_released_at_the_door_says_why_and_what_to_do(mail_to_smtp):
    now = timezone.now()
    started = SessionFactory(
        event=EventFactory(is_demo=True),  # booking stays open after the start
        capacity=1,
        starts_at=now - timedelta(minutes=15),
        ends_at=now + timedelta(minutes=105),
        no_show_release_minutes=10,
    )
    absent, waiting = ParticipantFactory.create_batch(2, event=started.event)
    for person in (absent, waiting):
        book(person, started)
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
    deliver(mail_to_smtp)
    door = User.objects.create_user("door", "door@example.org", "pw-123-long")

    session_release_no_shows(session=started, actor=Actor.organiser(door))
    released = only_one_to(deliver(mail_to_smtp), absent.email)

    text = text_of(released)
    assert (
        f'Your seat in "{isolated(started.title_en)}" was released because you had'
        in text
    )
    assert (
        "so that someone else could have it. If you are there, ask the door staff"
        in text
    )
