"""What every change of a booking shares: who asked (``Actor``), the audit
rows and messages of one transaction (``Change``), and the waiting list's
promotions and their cascade."""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import ApiKey, Participant
from majlis.bookings.locking import sessions_overlapping
from majlis.bookings.models import (
    AccessNeed,
    ActorKind,
    Booking,
    BookingChange,
    BookingStatus,
)
from majlis.core.exceptions import InvalidInput
from majlis.core.ratelimit import Limit, limiter
from majlis.events.models import Session
from majlis.outbox.services import outbox_enqueue


@dataclass(frozen=True)
class Actor:
    """Who asked for a change, as the audit trail records it."""

    kind: ActorKind
    user: User | None = None
    api_key: ApiKey | None = None

    @classmethod
    def delegate(cls) -> "Actor":
        return cls(ActorKind.PARTICIPANT)

    @classmethod
    def system(cls) -> "Actor":
        return cls(ActorKind.SYSTEM)

    @classmethod
    def organiser(cls, user: User) -> "Actor":
        return cls(ActorKind.ORGANISER, user=user)

    @classmethod
    def integration(cls, api_key: ApiKey) -> "Actor":
        return cls(ActorKind.INTEGRATION, api_key=api_key)


# How many changes (book, switch, cancel, access needs) a delegate may ask for,
# from the pages and the API together: a few a second is a person, dozens a
# second a script, each change sending an email.
DELEGATE_CHANGES_LIMIT = Limit("booking_changes", "MAJLIS_LIMIT_BOOKING_CHANGES")


def delegate_change_count(*, actor: Actor, participant_id: int) -> None:
    """Count a change a delegate asks for themselves; raise ``TooManyRequests``
    past ``MAJLIS_LIMIT_BOOKING_CHANGES``. Organisers, integrations and the
    system are not counted."""
    if actor.kind == ActorKind.PARTICIPANT:
        limiter().hit(DELEGATE_CHANGES_LIMIT, f"participant:{participant_id}")


@dataclass
class Change:
    """What one transaction did, so counters and messages are written once at the end."""

    now: datetime
    actor: Actor
    sessions: dict[int, Session]
    touched_sessions: set[int] = field(default_factory=set)

    def record(
        self, booking: Booking, action: BookingChange.Action, from_status: str
    ) -> None:
        BookingChange.objects.create(
            booking=booking,
            action=action,
            from_status=from_status,
            to_status=booking.status,
            actor_kind=self.actor.kind,
            actor_user=self.actor.user,
            actor_api_key=self.actor.api_key,
            at=self.now,
        )

    def notify(self, booking: Booking, kind: str, **extra: object) -> None:
        participant = booking.participant
        outbox_enqueue(
            kind=kind,
            to_email=participant.email,
            language=participant.language,
            payload={"booking": booking.pk, **extra},
        )

    def save_counters(self) -> None:
        for session_id in sorted(self.touched_sessions):
            session = self.sessions[session_id]
            Session.objects.filter(pk=session_id).update(
                seats_taken=session.seats_taken
            )


def confirmed_bookings_in(
    participant: Participant, sessions: list[Session]
) -> list[Booking]:
    if not sessions:
        return []
    return list(
        Booking.objects.select_related("participant")
        .filter(
            participant=participant,
            status=BookingStatus.CONFIRMED,
            session_id__in=[s.pk for s in sessions],
        )
        .order_by("pk")
    )


def release_seat(
    change: Change, booking: Booking, action: BookingChange.Action
) -> None:
    """Cancel a confirmed booking and free its seat; the caller fills the seat."""
    from_status = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = change.now
    booking.save(update_fields=["status", "cancelled_at"])
    change.record(booking, action, from_status)
    session = change.sessions[booking.session_id]
    session.seats_taken -= 1
    change.touched_sessions.add(session.pk)


def fill_free_seats(change: Change, session_ids: list[int]) -> None:
    """Promote waiting delegates into free seats, in the order they joined.

    A promoted delegate gives up the seat they held in an overlapping session
    (waiting means "I would rather have this one"), which frees that seat in
    turn. Each booking moves forward at most twice (waiting to confirmed to
    cancelled), so the cascade ends.
    """
    queue = deque(session_ids)
    group = list(change.sessions.values())
    while queue:
        session = change.sessions[queue.popleft()]
        while session.seats_taken < session.capacity:
            waiting = (
                Booking.objects.select_related("participant")
                .filter(session=session, status=BookingStatus.WAITLISTED)
                .order_by("pk")  # ids are given under the lock: the order of joining
                .first()
            )
            if waiting is None:
                break
            overlapping = sessions_overlapping(session, group)
            for held in confirmed_bookings_in(waiting.participant, overlapping):
                release_seat(change, held, BookingChange.Action.RELEASED_FOR_PREFERRED)
                change.notify(held, "booking_released", preferred=waiting.pk)
                queue.append(held.session_id)
            waiting.status = BookingStatus.CONFIRMED
            waiting.confirmed_at = change.now
            waiting.save(update_fields=["status", "confirmed_at"])
            session.seats_taken += 1
            change.touched_sessions.add(session.pk)
            change.record(
                waiting, BookingChange.Action.PROMOTED, BookingStatus.WAITLISTED
            )
            change.notify(waiting, "booking_promoted")


def unknown_access_needs(needs: list[str]) -> list[str]:
    return [need for need in needs if need not in AccessNeed.values]


def unknown_access_needs_error(unknown: list[str]) -> InvalidInput:
    return InvalidInput(
        _("Unknown access needs: %(needs)s.") % {"needs": ", ".join(unknown)}
    )


def checked_access_needs(needs: list[str]) -> list[str]:
    """The needs in their catalogue's order; raises ``InvalidInput`` for an unknown one."""
    unknown = unknown_access_needs(needs)
    if unknown:
        raise unknown_access_needs_error(unknown)
    return [need for need in AccessNeed.values if need in needs]
