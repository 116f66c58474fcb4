"""Calendar files and check-in QR codes for a delegate's booking."""

import functools
import io
from datetime import UTC, timedelta
from email.utils import parseaddr

import segno
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from majlis.bookings.models import Booking, BookingStatus

PRODID = "-//Majlis//Conference sessions//EN"


def calendar_entry_wanted(booking: Booking) -> bool:
    """Whether a booking has a calendar entry: a seat has one, a cancelled seat
    its cancellation; a place on a waiting list has none.

    A waiting place is no appointment: as CONFIRMED it showed in calendars
    over the delegate's real seat at the same hour, and TENTATIVE would not
    help, as most calendars show it busy all the same and many ignore STATUS.
    The entry comes with the seat: the promotion email carries it, and a
    subscription lists the session from then on.
    """
    return booking.status != BookingStatus.WAITLISTED


def _organizer(event_name: str) -> vCalAddress:
    """The event, as the organiser of its sessions (RFC 5546 requires one in
    PUBLISH and CANCEL): the address Majlis writes from, the event's name."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(event_name)
    return organizer


def _booking_entry(
    booking: Booking, *, title: str, description: str, cancelled: bool
) -> CalendarEvent:
    session = booking.session
    event = session.event
    entry = CalendarEvent()
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    entry.add("uid", f"booking-{booking.pk}@{host}")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", session.starts_at.astimezone(UTC))
    entry.add("dtend", session.ends_at.astimezone(UTC))
    entry.add("summary", title)
    entry.add("description", description)
    location = ", ".join(part for part in (session.room, event.venue) if part)
    if location:
        entry.add("location", location)
    entry.add("organizer", _organizer(event.name))
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Each move of the session and each cancellation must outrank what the
    # calendar holds, or it would keep the old entry.
    entry.add("sequence", 2 * session.schedule_version + (1 if cancelled else 0))
    return entry


def booking_ics(
    booking: Booking, *, title: str, description: str, cancelled: bool | None = None
) -> bytes:
    """An iCalendar file for the booking; a cancelled booking yields a
    cancellation of the same UID, which removes it from the calendar. An email
    passes ``cancelled`` to describe the moment it reports, not the present.
    A waiting booking has none (:func:`calendar_entry_wanted`): ValueError.

    Times are written in UTC, which every calendar converts to its own zone.
    A generated VTIMEZONE for Africa/Casablanca (icalendar's
    ``add_missing_timezones``) misses its Ramadan changes, and a calendar that
    trusted it would show those sessions an hour off.
    """
    if cancelled is None:
        if not calendar_entry_wanted(booking):
            raise ValueError("a place on a waiting list has no calendar entry")
        cancelled = booking.status == BookingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(
        _booking_entry(
            booking, title=title, description=description, cancelled=cancelled
        )
    )
    return calendar.to_ical()


def bookings_feed_ics(bookings: list[Booking], *, name: str) -> bytes:
    """A calendar subscription holding the seats among ``bookings`` (a waiting
    place has no entry, a cancelled booking none either: an entry gone from a
    feed is gone from the calendar). Titles in the active language.

    No METHOD: a subscription is a published calendar, not a scheduling
    message (RFC 5545, 3.7.2). Calendars read it again about every hour.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add(
        "refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", timedelta(hours=1))
    for booking in bookings:
        if booking.status == BookingStatus.CONFIRMED:
            session = booking.session
            calendar.add_component(
                _booking_entry(
                    booking,
                    title=session.title,
                    description=session.description,
                    cancelled=False,
                )
            )
    return calendar.to_ical()


# Pixels a module, and modules of quiet zone around the code, in the PNG.
QR_PNG_SCALE = 8
QR_PNG_BORDER = 4
# segno's rows hold 1 for a dark module and 0 for a light one; a grey image
# wants 0 for black and 255 for white.
_DARK_TO_BLACK = bytes.maketrans(b"\x00\x01", b"\xff\x00")


# A delegate's code never changes, and drawing its QR code takes milliseconds
# of pure Python (the mask search): each process keeps the last few thousand
# it drew, a few KB each. In a crowd each confirmation has a code of its own.
@functools.lru_cache(maxsize=4096)
def checkin_qr_png(checkin_code: str) -> bytes:
    """The QR code segno makes (its version and mask chosen as the standard
    says), drawn by Pillow: segno's own PNG writer, in Python, took 1.7 ms a
    code on top of the 1.9 ms of making it; Pillow, 0.35 ms
    (docs/BENCHMARKS.md in git before 2026-12-05, item 29)."""
    from PIL import Image, ImageOps  # only where email is rendered

    matrix = segno.make_qr(checkin_code, error="m").matrix
    modules = len(matrix)
    grey = b"".join(matrix).translate(_DARK_TO_BLACK)
    image = ImageOps.expand(
        Image.frombytes("L", (modules, modules), grey),
        border=QR_PNG_BORDER,
        fill=255,
    ).convert("1", dither=Image.Dither.NONE)
    image = image.resize(
        (image.width * QR_PNG_SCALE, image.height * QR_PNG_SCALE),
        Image.Resampling.NEAREST,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def checkin_qr_svg(checkin_code: str) -> str:
    buffer = io.BytesIO()
    segno.make_qr(checkin_code, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()
