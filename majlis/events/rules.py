"""Rules about an event's own settings, read by the booking domain and the
programme alike."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from majlis.core.exceptions import BookingClosed
from majlis.core.time_zones import zone_name
from majlis.events.models import Event, Session


def booking_window_check(*, event: Event, session: Session, now: datetime) -> None:
    """Raise ``BookingClosed``, saying when booking opens or closed, outside the window."""
    if event.booking_opens_at and now < event.booking_opens_at:
        raise booking_closed(event=event, opens_at=event.booking_opens_at)
    closes_at = event.booking_closes_at
    if closes_at is None and not event.is_demo:
        closes_at = session.starts_at
    if closes_at is not None and now >= closes_at:
        raise booking_closed(event=event, closed_at=closes_at)


def booking_closed(
    *,
    event: Event,
    opens_at: datetime | None = None,
    closed_at: datetime | None = None,
) -> BookingClosed:
    """The refusal of a change outside the booking window: when it opens, or
    when it closed, in the event's time zone."""
    zone = event.zone
    if opens_at is not None:
        opens = formats.date_format(
            timezone.localtime(opens_at, zone), "DATETIME_FORMAT"
        )
        return BookingClosed(
            _("Booking opens on %(when)s (%(zone)s).")
            % {"when": opens, "zone": zone_name(event.time_zone, opens_at)},
            extra={"opens_at": opens_at.isoformat()},
        )
    if closed_at is None:
        raise ValueError("booking_closed() needs opens_at or closed_at")
    closed = formats.date_format(timezone.localtime(closed_at, zone), "DATETIME_FORMAT")
    return BookingClosed(
        _("Booking closed on %(when)s (%(zone)s).")
        % {"when": closed, "zone": zone_name(event.time_zone, closed_at)},
        extra={"closed_at": closed_at.isoformat()},
    )
