"""Calendar files and check-in QR codes for a delegate's booking."""

import functools
import io
from datetime import UTC

import segno
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from majlis.bookings.models import Booking, BookingStatus


def booking_ics(
    booking: Booking, *, title: str, description: str, cancelled: bool | None = None
) -> bytes:
    """An iCalendar file for the booking; a cancelled booking yields a
    cancellation of the same UID, which removes it from the calendar. An email
    passes ``cancelled`` to describe the moment it reports, not the present.

    Times are written in UTC, which every calendar converts to its own zone.
    A generated VTIMEZONE for Africa/Casablanca (icalendar's
    ``add_missing_timezones``) misses its Ramadan changes, and a calendar that
    trusted it would show those sessions an hour off.
    """
    session = booking.session
    event = session.event
    if cancelled is None:
        cancelled = booking.status == BookingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Majlis//Conference sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
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
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Each move of the session and each cancellation must outrank what the
    # calendar holds, or it would keep the old entry.
    entry.add("sequence", 2 * session.schedule_version + (1 if cancelled else 0))
    calendar.add_component(entry)
    return calendar.to_ical()


# A delegate's code never changes, and drawing its QR code takes milliseconds
# of pure Python (the mask search and the PNG's scanlines): each process keeps
# the last few thousand it drew, a few KB each.
@functools.lru_cache(maxsize=4096)
def checkin_qr_png(checkin_code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(checkin_code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def checkin_qr_svg(checkin_code: str) -> str:
    buffer = io.BytesIO()
    segno.make_qr(checkin_code, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()
