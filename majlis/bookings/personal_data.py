"""A delegate's personal data: what they may download, their account deleted at
their request, and an event's erased after the conference (docs/SECURITY.md,
"Personal data")."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.accounts.models import Participant
from majlis.accounts.services import participants_erase
from majlis.bookings.models import ACTIVE_STATUSES, Booking, BookingChange
from majlis.bookings.services import Actor, booking_cancel
from majlis.core.exceptions import InvalidInput
from majlis.events.models import Event
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import render_message

# What apps above bookings hold about a delegate, added to their download:
# section name -> a function of the delegate giving JSON-ready data. Each app
# registers its sections in ``AppConfig.ready()``, since bookings cannot import
# it; it erases its own rows on ``accounts.signals.participants_erased``.
_SECTIONS: dict[str, Callable[[Participant], Any]] = {}


def register_personal_data_section(
    name: str, build: Callable[[Participant], Any]
) -> None:
    _SECTIONS[name] = build


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _messages_to(participant: Participant, booking_ids: list[int]) -> list[dict]:
    """The email the outbox holds for the delegate, as it was or will be sent."""
    found = []
    for message in OutboxMessage.objects.filter(
        Q(payload__participant=participant.pk) | Q(payload__booking__in=booking_ids)
    ).order_by("created_at", "pk"):
        entry: dict[str, Any] = {
            "kind": message.kind,
            "to": message.to_email,
            "language": message.language,
            "status": message.status,
            "created_at": _when(message.created_at),
            "sent_at": _when(message.sent_at),
        }
        try:
            email = render_message(message)
        except Exception:
            entry["subject"] = entry["body"] = None
        else:
            entry["subject"] = str(email.subject)
            entry["body"] = str(email.body)
        found.append(entry)
    return found


def participant_data_export(*, participant: Participant) -> dict[str, Any]:
    """Everything Majlis holds about one delegate, as JSON-ready data: their
    record, bookings, the audit trail of those bookings, the email sent or
    waiting to be sent to them, and the sections registered by the apps
    above (their topic choices and tables, from ``groups``)."""
    bookings = list(
        Booking.objects.filter(participant=participant)
        .select_related("session")
        .order_by("created_at", "pk")
    )
    ids = [booking.pk for booking in bookings]
    changes = BookingChange.objects.filter(booking_id__in=ids).order_by("at", "pk")
    return {
        "event": participant.event.slug,
        "delegate": {
            "email": participant.email,
            "name": participant.name,
            "organisation": participant.organisation,
            "constituency": participant.constituency,
            "country": str(participant.country),
            "language": participant.language,
            "gender": participant.gender,
            "checkin_code": participant.checkin_code,
            "registered_at": _when(participant.created_at),
            "updated_at": _when(participant.updated_at),
        },
        "bookings": [
            {
                "id": booking.pk,
                "session": booking.session.code,
                "session_title": booking.session.title_en,
                "status": booking.status,
                "booked_at": _when(booking.created_at),
                "confirmed_at": _when(booking.confirmed_at),
                "waitlisted_at": _when(booking.waitlisted_at),
                "cancelled_at": _when(booking.cancelled_at),
                "checked_in_at": _when(booking.checked_in_at),
                "access_needs": booking.access_needs,
                "access_needs_note": booking.access_needs_note,
            }
            for booking in bookings
        ],
        "booking_changes": [
            {
                "booking": change.booking_id,
                "action": change.action,
                "from_status": change.from_status,
                "to_status": change.to_status,
                # Who, by kind only: staff members' names are theirs.
                "by": change.actor_kind,
                "at": _when(change.at),
            }
            for change in changes
        ],
        "messages": _messages_to(participant, ids),
        **{name: build(participant) for name, build in _SECTIONS.items()},
    }


def _erase_booking_details(booking_ids: list[int]) -> None:
    # Access needs are health data; the email about a booking names its
    # delegate's sessions and carries their check-in code.
    Booking.objects.filter(pk__in=booking_ids).update(
        access_needs=[], access_needs_note=""
    )
    OutboxMessage.objects.filter(payload__booking__in=booking_ids).delete()


def participant_delete_account(*, participant: Participant) -> None:
    """Delete a delegate's account at their request.

    Their bookings of sessions not yet started are cancelled first, each
    through :func:`booking_cancel` (its own transaction, its audit row, the
    freed seat going to the first person waiting), even after the booking
    window closed, since they will not come. Then, in one transaction, their
    personal data is erased (:func:`participants_erase`) and their bookings'
    access needs and email with it; bookings of sessions already started stay,
    anonymous, with their check-ins. Repeating it after a failure finishes
    the work; raises ``TryAgain`` when a session stays locked.
    """
    now = timezone.now()
    for booking in Booking.objects.filter(
        participant=participant,
        status__in=ACTIVE_STATUSES,
        session__starts_at__gt=now,
    ).order_by("pk"):
        # One request of the delegate's, however many bookings it cancels:
        # not counted against their limit of booking changes.
        booking_cancel(
            booking=booking, actor=Actor.delegate(), enforce_window=False, counted=False
        )
    with transaction.atomic():
        _erase_booking_details(
            list(
                Booking.objects.filter(participant=participant).values_list(
                    "pk", flat=True
                )
            )
        )
        participants_erase(event=participant.event, participant_ids=[participant.pk])


def event_erase_personal_data(*, event: Event) -> int:
    """Erase the personal data of every delegate of ``event`` once its last
    session has ended; returns how many delegates were erased.

    What the dashboard counts stays: the bookings, their statuses and
    check-ins, each delegate's constituency, country (region) and language,
    anonymous. Raises ``InvalidInput`` while a session has not ended.
    """
    last_end = event.sessions.aggregate(last=Max("ends_at"))["last"]
    if last_end is not None and last_end > timezone.now():
        raise InvalidInput(
            _(
                "The event is not over: its personal data can be erased once "
                "its last session has ended."
            )
        )
    with transaction.atomic():
        _erase_booking_details(
            list(
                Booking.objects.filter(session__event=event).values_list(
                    "pk", flat=True
                )
            )
        )
        return participants_erase(
            event=event,
            participant_ids=list(
                Participant.objects.filter(event=event).values_list("pk", flat=True)
            ),
        )
