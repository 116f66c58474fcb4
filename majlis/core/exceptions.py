"""The domain errors of Majlis, one catalogue of what a person can be told.

Services raise these and never HTTP errors. Each carries a stable ``code`` that
integrations rely on, an HTTP status for the API, a message translated lazily
(so it is rendered in the language of whoever reads it) and structured
``extra`` data, such as the booking that is in the way.
"""

import math
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class MajlisError(Exception):
    code = "error"
    http_status = 400
    # A transient error says nothing lasting about the request: it is never
    # remembered as the answer to an Idempotency-Key.
    transient = False
    # Seconds a client should wait before trying again (a Retry-After header),
    # for errors that pass.
    retry_after: int | None = None
    default_message: str | Promise = _("Something went wrong.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))

    def as_answer(self) -> dict[str, Any]:
        """The error's one shape, as the API sends it and a stored answer keeps it."""
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.extra:
            body["details"] = self.extra
        return {"error": body}


class NotFound(MajlisError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class Unauthenticated(MajlisError):
    code = "unauthenticated"
    http_status = 401
    default_message = _("Please sign in: this needs a valid token.")


class PermissionDenied(MajlisError):
    code = "forbidden"
    http_status = 403
    default_message = _("You may not do this.")


class InvalidInput(MajlisError):
    code = "invalid"
    http_status = 400
    default_message = _("Some of what was sent is not valid.")


class NotRegistered(MajlisError):
    code = "not_registered"
    http_status = 403
    default_message = _("Only the registered delegates of this event can book.")


class BookingClosed(MajlisError):
    code = "booking_closed"
    http_status = 403
    default_message = _("Booking is closed for this session.")


class SessionFull(MajlisError):
    code = "session_full"
    http_status = 409
    default_message = _("This session is full and keeps no waiting list.")


class AlreadyBooked(MajlisError):
    code = "already_booked"
    http_status = 409
    default_message = _("You already have a booking for this session.")


class TimeConflict(MajlisError):
    code = "time_conflict"
    http_status = 409
    default_message = _(
        "You already hold a seat in a session at the same time. "
        "Ask to switch to release it."
    )


class BookingCancelled(MajlisError):
    code = "booking_cancelled"
    http_status = 409
    default_message = _("This booking is cancelled: it can no longer be changed.")


class CapacityBelowConfirmed(MajlisError):
    code = "capacity_below_confirmed"
    http_status = 409
    default_message = _("The capacity cannot be lower than the confirmed bookings.")


class SessionMoveConflict(MajlisError):
    code = "session_move_conflict"
    http_status = 409
    default_message = _(
        "Delegates booked here hold a seat in another session at the new time."
    )


class ChangedMeanwhile(MajlisError):
    """The thing was changed by someone else since the sender's page showed
    it: applying the request could undo what they never saw."""

    code = "changed_meanwhile"
    http_status = 409
    default_message = _(
        "Someone else changed this meanwhile. Look at it again, then repeat "
        "your change if it is still needed."
    )


class TooEarly(MajlisError):
    code = "too_early"
    http_status = 409
    default_message = _("It is too early for this.")


class IdempotencyKeyReused(MajlisError):
    code = "idempotency_key_reused"
    http_status = 422
    default_message = _(
        "This Idempotency-Key was already used for a different request."
    )


class TryAgain(MajlisError):
    code = "try_again"
    http_status = 503
    transient = True
    retry_after = 2
    default_message = _("We are very busy right now. Please try again in a moment.")


class DatabaseUnavailable(MajlisError):
    """The database refused or lost the connection (a restart, a failover).
    The broken connection is dropped at the end of the request, so the next
    one connects afresh; a change cut off before its commit was rolled back
    (a retry with the same Idempotency-Key is safe either way)."""

    code = "unavailable"
    http_status = 503
    transient = True
    # A PostgreSQL restart takes a second or two.
    retry_after = 5
    default_message = _("Majlis cannot answer just now. Please try again in a moment.")


class RequestTooLarge(MajlisError):
    """A request whose body is over the size limit: Django's
    (DATA_UPLOAD_MAX_MEMORY_SIZE), or the reverse proxy's in front
    (deploy/nginx.conf), which hands its refusal to Majlis to word."""

    code = "too_large"
    http_status = 413
    default_message = _("This request is too large to be accepted.")


class TooManyRequests(MajlisError):
    """A rate limit refused the request (majlis/core/ratelimit.py); it fits
    again after ``retry_after`` seconds."""

    code = "too_many_requests"
    http_status = 429
    transient = True

    def __init__(self, retry_after: int, message: str | Promise | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(
            message if message is not None else self.wait_message(retry_after),
            extra={"retry_after": retry_after},
        )

    @staticmethod
    def wait_message(seconds: int) -> str:
        if seconds < 120:
            return ngettext(
                "Too many requests: please try again in %(count)d second.",
                "Too many requests: please try again in %(count)d seconds.",
                seconds,
            ) % {"count": seconds}
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Too many requests: please try again in %(count)d minute.",
            "Too many requests: please try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
