"""Rules about an event's own settings, read by the booking domain and the
programme alike."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from majlis.core.exceptions import BookingClosed
from majlis.events.models import Event, Session


def booking_window_check(*, event: Event, session: Session, now: datetime) -> None:
    """Raise ``BookingClosed``, saying when booking opens or closed, outside the window."""
    zone = event.zone
    if event.booking_opens_at and now < event.booking_opens_at:
        opens = formats.date_format(
            timezone.localtime(event.booking_opens_at, zone), "DATETIME_FORMAT"
        )
        raise BookingClosed(
            _("Booking opens on %(when)s (%(zone)s).")
            % {"when": opens, "zone": event.time_zone},
            extra={"opens_at": event.booking_opens_at.isoformat()},
        )
    closes_at = event.booking_closes_at
    if closes_at is None and not event.is_demo:
        closes_at = session.starts_at
    if closes_at is not None and now >= closes_at:
        closed = formats.date_format(
            timezone.localtime(closes_at, zone), "DATETIME_FORMAT"
        )
        raise BookingClosed(
            _("Booking closed on %(when)s (%(zone)s).")
            % {"when": closed, "zone": event.time_zone},
            extra={"closed_at": closes_at.isoformat()},
        )
