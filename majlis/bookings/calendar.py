"""Calendar files and check-in QR codes for a delegate's booking."""

import io

import segno
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from majlis.bookings.models import Booking, BookingStatus


def booking_ics(booking: Booking, *, title: str, description: str) -> bytes:
    """An iCalendar file for the booking, in the event's time zone with its
    VTIMEZONE, so that every calendar shows the right local time; a cancelled
    booking yields a cancellation of the same UID, which removes it."""
    session = booking.session
    event = session.event
    zone = event.zone
    cancelled = booking.status == BookingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Majlis//Conference sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    entry = CalendarEvent()
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    entry.add("uid", f"booking-{booking.pk}@{host}")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", timezone.localtime(session.starts_at, zone))
    entry.add("dtend", timezone.localtime(session.ends_at, zone))
    entry.add("summary", title)
    entry.add("description", description)
    location = ", ".join(part for part in (session.room, event.venue) if part)
    if location:
        entry.add("location", location)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("sequence", 1 if cancelled else 0)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def checkin_qr_png(checkin_code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(checkin_code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def checkin_qr_svg(checkin_code: str) -> str:
    buffer = io.BytesIO()
    segno.make(checkin_code, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()
