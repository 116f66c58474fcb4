"""The message that tells a delegate their tables, registered with the outbox.

It says what its payload holds, the arrangement when it was emailed
(``services.email_arrangement``), not what it may have become since; but a
delegate whose booking was cancelled meanwhile sits nowhere, and gets none,
and an arrangement taken back to a draft meanwhile is told to nobody.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.bookings.models import Booking, BookingStatus
from majlis.core.time_zones import zone_name
from majlis.core.translation import isolate_text
from majlis.groups.models import GroupPlan
from majlis.groups.selectors import Seat
from majlis.groups.services import SEATS_MESSAGE
from majlis.groups.wording import seat_text
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import (
    MessageKind,
    NotToSend,
    absolute_url,
    register_kinds,
)


def render_seats_message(message: OutboxMessage, _batch: object) -> EmailMessage:
    booking = Booking.objects.select_related(
        "session", "session__event", "participant"
    ).get(pk=message.payload["booking"])
    if booking.status != BookingStatus.CONFIRMED:
        raise NotToSend(f"booking {booking.pk} is {booking.status}")
    session = booking.session
    if not GroupPlan.objects.filter(
        session=session, published_at__isnull=False
    ).exists():
        raise NotToSend(f"the groups of {session.code} are no longer published")
    event = session.event
    rounds = int(message.payload["rounds"])
    seats = [
        Seat(
            round=int(seat["round"]),
            table=int(seat["table"]),
            topic=str(seat.get("topic", "")),
            host=bool(seat.get("host")),
        )
        for seat in message.payload["seats"]
    ]
    context = {
        "participant": booking.participant,
        "session": session,
        "event_name": event.name,
        "starts": timezone.localtime(session.starts_at, event.zone),
        "ends": timezone.localtime(session.ends_at, event.zone),
        "time_zone": zone_name(event.time_zone, session.starts_at),
        "lines": [seat_text(seat, rounds=rounds) for seat in seats],
        "my_url": absolute_url(reverse("my-sessions", kwargs={"event": event.slug})),
    }
    with timezone.override(event.zone):
        body = render_to_string("groups/email/seats.txt", context)
    subject = _("Where you sit: %(session)s") % {"session": isolate_text(session.title)}
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def register() -> None:
    register_kinds([SEATS_MESSAGE], MessageKind(render=render_seats_message))
