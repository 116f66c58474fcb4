"""Turn an outbox row into an email, in the recipient's language."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from majlis.accounts.models import Participant
from majlis.bookings.calendar import booking_ics, checkin_qr_png
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.outbox.models import OutboxMessage

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


def absolute_url(path: str) -> str:
    return settings.BASE_URL + path


def bookings_of(messages: list[OutboxMessage]) -> dict[int, Booking]:
    """The bookings a batch of messages reports on, in one query: looked up one
    by one, they were a fifth of a message's CPU (docs/BENCHMARKS.md). A
    payload without a proper id is left to fail on its own when rendered,
    never taking its batch with it."""
    wanted = {
        booking
        for message in messages
        if message.kind in BOOKING_SUBJECTS
        and isinstance(booking := message.payload.get("booking"), int)
        and not isinstance(booking, bool)
    }
    if not wanted:
        return {}
    return Booking.objects.select_related(
        "session", "session__event", "participant"
    ).in_bulk(wanted)


def render_message(
    message: OutboxMessage, *, bookings: dict[int, Booking] | None = None
) -> EmailMessage:
    """The email of ``message``; ``bookings`` may hold its booking already
    (:func:`bookings_of`)."""
    with translation.override(message.language):
        if message.kind == "magic_link":
            return _render_magic_link(message)
        if message.kind == "session_message":
            return _render_session_message(message)
        if message.kind == "staff_invite":
            return _render_staff_invite(message)
        if message.kind in BOOKING_SUBJECTS:
            return _render_booking(message, bookings or {})
    raise ValueError(f"unknown outbox message kind {message.kind!r}")


def _render_magic_link(message: OutboxMessage) -> EmailMessage:
    participant = Participant.objects.select_related("event").get(
        pk=message.payload["participant"]
    )
    event = participant.event
    link = absolute_url(
        reverse(
            "sign-in-link",
            kwargs={"event": event.slug, "token": message.payload["token"]},
        )
    )
    if message.payload.get("next"):
        link += "?" + urlencode({"next": message.payload["next"]})
    context = {
        "participant": participant,
        "event_name": event.name,
        "link": link,
        "minutes": settings.MAJLIS_MAGIC_LINK_MINUTES,
    }
    subject = _("Your sign-in link for %(event)s") % {"event": event.name}
    body = render_to_string("outbox/email/magic_link.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def _render_booking(
    message: OutboxMessage, bookings: dict[int, Booking]
) -> EmailMessage:
    booking = bookings.get(message.payload["booking"]) or (
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
        "time_zone": event.time_zone,
        # The position when the delegate joined, as the message reports that moment.
        "position": message.payload.get("position") or waitlist_position(booking),
        "preferred_title": preferred.session.title if preferred else "",
        "to_session": message.payload.get("to_session", ""),
        "session_url": absolute_url(
            reverse(
                "session-detail", kwargs={"event": event.slug, "code": session.code}
            )
        ),
        "my_url": absolute_url(reverse("my-sessions", kwargs={"event": event.slug})),
    }
    subject = BOOKING_SUBJECTS[message.kind]() % {"session": session.title}
    with timezone.override(zone):
        body = render_to_string("outbox/email/booking.txt", context)
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


def _render_session_message(message: OutboxMessage) -> EmailMessage:
    from majlis.backoffice.models import SessionMessage

    written = SessionMessage.objects.select_related("session", "session__event").get(
        pk=message.payload["message"]
    )
    session = written.session
    context = {
        "body": written.body,
        "session": session,
        "event_name": session.event.name,
        "session_url": absolute_url(
            reverse(
                "session-detail",
                kwargs={"event": session.event.slug, "code": session.code},
            )
        ),
    }
    body = render_to_string("outbox/email/session_message.txt", context)
    subject = _("%(session)s: %(subject)s") % {
        "session": session.title,
        "subject": written.subject,
    }
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def _render_staff_invite(message: OutboxMessage) -> EmailMessage:
    from django.contrib.auth.models import User
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from majlis.backoffice.models import StaffRole

    staff = StaffRole.objects.select_related("user", "event").get(
        user_id=message.payload["user"], event_id=message.payload["event"]
    )
    user: User = staff.user
    # Made when sent: the link stays valid for PASSWORD_RESET_TIMEOUT from now,
    # and stops working once the password is set.
    link = absolute_url(
        reverse(
            "backoffice:set-password",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    context = {
        "event_name": staff.event.name,
        "role": staff.get_role_display(),
        "username": user.get_username(),
        "link": link,
        "login": absolute_url(reverse("backoffice:login")),
        "has_password": user.has_usable_password(),
    }
    subject = _("Your role at %(event)s") % {"event": staff.event.name}
    body = render_to_string("outbox/email/staff_invite.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.to_email])
