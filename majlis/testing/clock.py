"""Time passing, for tests of rules that count from a booking's own times."""

from datetime import timedelta

from django.db.models import F, QuerySet

from majlis.bookings.models import Booking, BookingChange

BOOKING_TIMES = (
    "created_at",
    "confirmed_at",
    "waitlisted_at",
    "cancelled_at",
    "checked_in_at",
)


def made_earlier(bookings: QuerySet[Booking], by: timedelta) -> None:
    """Move every time ``bookings`` recorded (made, seat given, joined the
    waiting list, cancelled, checked in) and their audit rows back by ``by``,
    as if all of it had happened that much earlier; the timetable stays.

    The door releases a seat ``no_show_release_minutes`` after it was given
    (or after the start, for a seat given before): tests age seats so rather
    than wait, since PostgreSQL reads its own clock."""
    ids = list(bookings.values_list("pk", flat=True))
    Booking.objects.filter(pk__in=ids).update(
        **{name: F(name) - by for name in BOOKING_TIMES}
    )
    BookingChange.objects.filter(booking_id__in=ids).update(at=F("at") - by)
