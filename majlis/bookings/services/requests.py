"""A delegate's request to book, answered once however often it is sent.

This is the one entry point of the delegates' pages and the API for a
booking: it takes the request's idempotency claim (an ``Idempotency-Key``, or
a web form's one-time token) and answers under it. On PostgreSQL one
statement decides and keeps the answer (majlis/bookings/sql/book_v3.sql); a
refusal comes back as its facts, is worded here in the caller's language and
stored for the retries. On SQLite the Python engine decides, under the
claim's transaction. Callers only turn the answer into JSON or a page.
"""

from dataclasses import dataclass
from typing import Any

from majlis.accounts.models import Participant
from majlis.bookings import engine
from majlis.bookings.idempotency import remember, run_once
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services.booking import (
    IdempotencyClaim,
    _booking_create_locked,
    book_in_database,
    book_refusal,
)
from majlis.bookings.services.changes import Actor, delegate_change_count
from majlis.core.exceptions import (
    IdempotencyKeyReused,
    MajlisError,
    NotFound,
    NotRegistered,
)
from majlis.events.models import Event
from majlis.events.selectors import session_get_in_event


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
    if engine.database_decides():
        return _request_in_database(
            participant=participant,
            event_slug=event_slug,
            session_code=session_code,
            switch=switch,
            access_needs=needs,
            access_needs_note=access_needs_note,
            idempotency=idempotency,
        )

    def work() -> tuple[int, dict]:
        event = Event.objects.filter(slug=event_slug).first()
        if event is None:
            raise NotFound()
        if participant.event_id != event.pk:
            raise NotRegistered()
        session = session_get_in_event(event_slug=event.slug, code=session_code)
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


def _request_in_database(
    *,
    participant: Participant,
    event_slug: str,
    session_code: str,
    switch: bool,
    access_needs: list[str],
    access_needs_note: str,
    idempotency: IdempotencyClaim | None,
) -> BookingAnswer:
    booked = book_in_database(
        participant=participant,
        event_slug=event_slug,
        session_code=session_code,
        actor=Actor.delegate(),
        switch=switch,
        access_needs=access_needs,
        access_needs_note=access_needs_note,
        idempotency=idempotency,
    )
    if booked.outcome == "booked":
        return BookingAnswer(
            201,
            _booked(
                booked.booking_id or 0,
                session_code,
                booked.status or "",
                booked.waitlist_position,
            ),
        )
    if booked.outcome == "replayed":
        return BookingAnswer(
            booked.stored_status or 0,
            _stored_shape(booked.stored_body or {}),
            replayed=True,
        )
    if booked.outcome == "key_reused":
        raise IdempotencyKeyReused()
    error = book_refusal(
        booked,
        event=lambda: Event.objects.get(slug=event_slug),
        access_needs=access_needs,
    )
    if idempotency is None:
        return BookingAnswer(error.http_status, error.as_answer())
    status, body, replayed = remember(
        principal=idempotency.principal,
        key=idempotency.key,
        request_fingerprint=idempotency.fingerprint,
        answer=(error.http_status, error.as_answer()),
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
