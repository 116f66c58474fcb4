"""A delegate's request to book, answered once however often it is sent.

This is the one entry point of the delegates' pages and the API for a
booking: it takes the request's idempotency claim (an ``Idempotency-Key``, or
a web form's one-time token), tries the one-statement booking on PostgreSQL,
refuses without any lock what is refused whatever the others do, and hands
the rest to the locked path, all under the claim. Callers only turn the
answer into JSON or a page.
"""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from majlis.accounts.models import Participant
from majlis.bookings.idempotency import run_once
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services.booking import (
    IdempotencyClaim,
    QuickBooking,
    _booking_create_locked,
    booking_create_quick,
)
from majlis.bookings.services.changes import Actor, delegate_change_count
from majlis.core.exceptions import (
    AlreadyBooked,
    MajlisError,
    NotFound,
    NotRegistered,
    TimeConflict,
)
from majlis.events.models import Event, Session
from majlis.events.rules import booking_window_check


@dataclass(frozen=True)
class BookingAnswer:
    """What a booking request answered: ``body`` is the answer as it is stored
    for the request's retries (a booking's ``id``, ``session``, ``status`` and
    ``waitlist_position``, or an error in its one shape), ``replayed`` says a
    retry was given the first answer."""

    http_status: int
    body: dict[str, Any]
    replayed: bool = False

    @property
    def refused(self) -> bool:
        return self.http_status >= 400

    @property
    def booking_id(self) -> int | None:
        return self.body.get("id")

    @property
    def status(self) -> str | None:
        return self.body.get("status")

    @property
    def waitlist_position(self) -> int | None:
        return self.body.get("waitlist_position")

    @property
    def error_message(self) -> str:
        return str(self.body.get("error", {}).get("message", ""))


def _booked(booking_id: int, session_code: str, status: str, position: int | None):
    return {
        "id": booking_id,
        "session": session_code,
        "status": status,
        "waitlist_position": position,
    }


def _quick_answer(quick: QuickBooking, session_code: str) -> BookingAnswer:
    if quick.stored_answer is not None:
        status, body = quick.stored_answer
        return BookingAnswer(status, body, replayed=True)
    return BookingAnswer(
        201,
        _booked(
            quick.booking_id or 0,
            session_code,
            quick.status or "",
            quick.waitlist_position,
        ),
    )


def refuse_without_locks(
    *, participant: Participant, session: Session, switch: bool
) -> None:
    """Raise what the locked path would refuse whatever other requests do
    meanwhile: the booking window, a booking already held here, a seat held
    at the same time (unless switching).

    Each is a fact of one committed moment, so a refusal read without a lock
    is the answer the request would have had at that moment; a request that
    passes still meets every rule again under the locks. A crowd's repeats
    and conflicts are then answered without waiting on anybody's lock.
    """
    booking_window_check(event=session.event, session=session, now=timezone.now())
    held = (
        Booking.objects.filter(
            participant=participant,
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .values_list("pk", "status")
        .first()
    )
    if held is not None:
        raise AlreadyBooked(extra={"booking": held[0], "status": held[1]})
    if switch:
        return
    blocking = (
        Booking.objects.filter(
            participant=participant,
            status=BookingStatus.CONFIRMED,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .values_list("pk", "session__code")
        .order_by("pk")
        .first()
    )
    if blocking is not None:
        raise TimeConflict(extra={"booking": blocking[0], "session": blocking[1]})


def booking_request(
    *,
    participant: Participant,
    event_slug: str,
    session_code: str,
    switch: bool = False,
    access_needs: list[str] | None = None,
    access_needs_note: str = "",
    idempotency: IdempotencyClaim | None = None,
) -> BookingAnswer:
    """A delegate asks for a seat in a session of ``event_slug``: book it, or
    a place on the waiting list; refusals are answers too. With an
    ``idempotency`` claim, a retry of the same request gets the first answer
    and books nothing more; the same claim with another request is refused
    (``IdempotencyKeyReused``). Raises only ``TryAgain``,
    ``IdempotencyKeyReused`` and ``TooManyRequests`` (past the delegate's
    ``MAJLIS_LIMIT_BOOKING_CHANGES``)."""
    delegate_change_count(actor=Actor.delegate(), participant_id=participant.pk)
    needs = list(access_needs or [])
    if participant.event.slug == event_slug:
        quick = booking_create_quick(
            participant=participant,
            event_id=participant.event_id,
            session_code=session_code,
            access_needs=needs,
            access_needs_note=access_needs_note,
            idempotency=idempotency,
        )
        if quick is not None:
            return _quick_answer(quick, session_code)

    def work() -> tuple[int, dict]:
        event = Event.objects.filter(slug=event_slug).first()
        if event is None:
            raise NotFound()
        if participant.event_id != event.pk:
            raise NotRegistered()
        session = (
            Session.objects.select_related("event")
            .filter(event=event, code=session_code)
            .first()
        )
        if session is None:
            raise NotFound()
        refuse_without_locks(participant=participant, session=session, switch=switch)
        booking = _booking_create_locked(
            participant=participant,
            session=session,
            actor=Actor.delegate(),
            switch=switch,
            access_needs=needs,
            access_needs_note=access_needs_note,
            enforce_window=True,
            walk_in=False,
        )
        return 201, _booked(
            booking.pk, session.code, booking.status, waitlist_position(booking)
        )

    def error_answer(error: MajlisError) -> tuple[int, dict]:
        return error.http_status, error.as_answer()

    status, body, replayed = run_once(
        principal=idempotency.principal if idempotency else "",
        key=idempotency.key if idempotency else None,
        request_fingerprint=idempotency.fingerprint if idempotency else "",
        work=work,
        error_answer=error_answer,
    )
    return BookingAnswer(status, _stored_shape(body), replayed=replayed)


def _stored_shape(body: dict[str, Any]) -> dict[str, Any]:
    """An answer stored by the web form before the answers had one shape
    (``booking``, ``position``; an error's ``code`` and plain ``error``), in
    today's shape: such records live as long as a form's retry can come."""
    if "booking" in body:
        return {
            "id": body["booking"],
            "session": body.get("session", ""),
            "status": body.get("status"),
            "waitlist_position": body.get("position"),
        }
    if isinstance(body.get("error"), str):
        return {"error": {"code": body.get("code", "error"), "message": body["error"]}}
    return body
