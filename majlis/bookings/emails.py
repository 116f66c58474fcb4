"""The emails of a booking's changes, registered with the outbox."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.bookings.calendar import booking_ics, checkin_qr_png
from majlis.bookings.models import ActorKind, Booking, BookingChange, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.core.time_zones import zone_name
from majlis.core.translation import isolate_text
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import MessageKind, absolute_url, register_kinds

BOOKING_SUBJECTS = {
    "booking_moved": lambda: _("New time for %(session)s"),
    "booking_confirmed": lambda: _("Your seat is confirmed: %(session)s"),
    "booking_promoted": lambda: _("A seat has opened for you: %(session)s"),
    "booking_waitlisted": lambda: _("You are on the waiting list: %(session)s"),
    "booking_cancelled": lambda: _("Your booking is cancelled: %(session)s"),
    "booking_switched_away": lambda: _("You left %(session)s"),
    "booking_released": lambda: _("You left %(session)s for a session you preferred"),
}
WITH_CALENDAR = {
    "booking_moved",
    "booking_confirmed",
    "booking_promoted",
    "booking_cancelled",
    "booking_switched_away",
    "booking_released",
}
WITH_QR = {"booking_confirmed", "booking_promoted"}
CANCELLING = {"booking_cancelled", "booking_switched_away", "booking_released"}


def bookings_of(messages: list[OutboxMessage]) -> dict[int, Booking]:
    """The bookings a batch of messages reports on, in one query. A payload
    without a proper id is left to fail on its own when rendered, never taking
    its batch with it."""
    wanted = {
        booking
        for message in messages
        if isinstance(booking := message.payload.get("booking"), int)
        and not isinstance(booking, bool)
    }
    if not wanted:
        return {}
    return Booking.objects.select_related(
        "session", "session__event", "participant"
    ).in_bulk(wanted)


def why_cancelled(booking: Booking) -> str:
    """Who ended a cancelled booking, as its cancellation email tells it: the
    delegate (nothing more to say), an organiser or integration, or the door's
    release of absent delegates. Read from the audit trail when the email is
    written, which its change wrote in the same transaction."""
    ended = (
        booking.changes.filter(to_status=BookingStatus.CANCELLED)
        .order_by("-at", "-id")
        .values_list("action", "actor_kind")
        .first()
    )
    if ended is None:
        return "delegate"
    action, actor_kind = ended
    if action == BookingChange.Action.RELEASED_NO_SHOW:
        return "no_show"
    if actor_kind in (ActorKind.ORGANISER, ActorKind.INTEGRATION):
        return "organisers"
    return "delegate"


def render_booking_message(
    message: OutboxMessage, bookings: dict[int, Booking] | None
) -> EmailMessage:
    booking = (bookings or {}).get(message.payload["booking"]) or (
        Booking.objects.select_related("session", "session__event", "participant").get(
            pk=message.payload["booking"]
        )
    )
    session = booking.session
    event = session.event
    zone = event.zone
    preferred = None
    if message.payload.get("preferred"):
        preferred = Booking.objects.select_related("session").get(
            pk=message.payload["preferred"]
        )
    context = {
        "kind": message.kind,
        "participant": booking.participant,
        "booking": booking,
        "session": session,
        "event_name": event.name,
        "starts": timezone.localtime(session.starts_at, zone),
        "ends": timezone.localtime(session.ends_at, zone),
        "time_zone": zone_name(event.time_zone, session.starts_at),
        # The position when the delegate joined, as the message reports that moment.
        "position": message.payload.get("position") or waitlist_position(booking),
        "preferred_title": preferred.session.title if preferred else "",
        "to_session": message.payload.get("to_session", ""),
        "cancelled_by": (
            why_cancelled(booking) if message.kind == "booking_cancelled" else ""
        ),
        "session_url": absolute_url(
            reverse(
                "session-detail", kwargs={"event": event.slug, "code": session.code}
            )
        ),
        "my_url": absolute_url(reverse("my-sessions", kwargs={"event": event.slug})),
    }
    subject = BOOKING_SUBJECTS[message.kind]() % {
        "session": isolate_text(session.title)
    }
    with timezone.override(zone):
        body = render_to_string("bookings/email/booking.txt", context)
    email = EmailMessage(subject=subject, body=body, to=[message.to_email])
    held_then = (
        message.payload.get("status", BookingStatus.CONFIRMED)
        == BookingStatus.CONFIRMED
    )
    if message.kind in WITH_CALENDAR and held_then:
        email.attach(
            f"{session.code}.ics",
            booking_ics(
                booking,
                title=session.title,
                description=session.description,
                cancelled=message.kind in CANCELLING,
            ),
            "text/calendar; charset=utf-8",
        )
    if message.kind in WITH_QR:
        email.attach(
            "check-in.png",
            checkin_qr_png(booking.participant.checkin_code),
            "image/png",
        )
    return email


def register() -> None:
    register_kinds(
        BOOKING_SUBJECTS,
        MessageKind(render=render_booking_message, read_batch=bookings_of),
    )
