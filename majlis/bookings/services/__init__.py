"""The only code that changes a booking: one entry point per change.

Every change runs in one transaction, locks what the rules need, and writes
the audit trail and the outbox messages in the same transaction. On
PostgreSQL each is one call of a PL/pgSQL function that decides everything
(majlis/bookings/sql/); on SQLite the Python code of this package decides
(``majlis.bookings.engine`` chooses). The delegates' pages, the back office,
the admin, the API and the commands all come through here.
"""

from majlis.bookings.services.booking import (
    IdempotencyClaim,
    booking_create,
    booking_update_access_needs,
)
from majlis.bookings.services.cancellation import (
    booking_cancel,
    booking_move,
)
from majlis.bookings.services.changes import Actor
from majlis.bookings.services.door import (
    CheckIn,
    booking_check_in,
    booking_walk_in,
    session_release_no_shows,
)
from majlis.bookings.services.requests import BookingAnswer, booking_request
from majlis.bookings.services.sessions import (
    session_move,
    session_save_changes,
    session_set_capacity,
)
from majlis.events.rules import booking_window_check

__all__ = [
    "Actor",
    "BookingAnswer",
    "CheckIn",
    "IdempotencyClaim",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_move",
    "booking_request",
    "booking_update_access_needs",
    "booking_walk_in",
    "booking_window_check",
    "session_move",
    "session_release_no_shows",
    "session_save_changes",
    "session_set_capacity",
]
