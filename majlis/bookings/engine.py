"""Which implementation of the booking rules decides: one per database.

On PostgreSQL every change of a booking is one call of a PL/pgSQL function
(majlis/bookings/sql/), which decides everything and holds its locks only
inside PostgreSQL, never across a round trip to a busy Python process. On
SQLite (the embedded demo) the Python services decide, under SQLite's single
write lock. docs/adr/0005-one-engine-per-database.md says why.

This module is the one place that chooses; no caller does. ``python_engine``
runs the Python implementation on PostgreSQL too, for the differential test
that holds the two together (tests only).
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import OperationalError, connection

from majlis.core.exceptions import TryAgain

if TYPE_CHECKING:
    from majlis.bookings.services.changes import Actor

_python_forced: ContextVar[bool] = ContextVar("majlis_python_engine", default=False)


def database_decides() -> bool:
    """Whether the database's functions decide booking changes here."""
    return connection.vendor == "postgresql" and not _python_forced.get()


@contextmanager
def python_engine() -> Iterator[None]:
    """Run the Python implementation even on PostgreSQL (the differential test)."""
    token = _python_forced.set(True)
    try:
        yield
    finally:
        _python_forced.reset(token)


def lock_timeout() -> str:
    return f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms"


def actor_arguments(actor: "Actor") -> list[Any]:
    """Who asked, as the functions record it in the audit trail."""
    return [
        actor.kind.value,
        actor.user.pk if actor.user else None,
        actor.api_key.pk if actor.api_key else None,
    ]


def call(function: str, arguments: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``SELECT * FROM function(arguments)``.

    Run outside any transaction of the caller's, the call is one statement:
    its locks end with it. A lock waited for past the timeout, a deadlock
    or a group that kept changing becomes ``TryAgain``.
    """
    placeholders = ", ".join(["%s"] * len(arguments))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {function}({placeholders})", list(arguments))  # noqa: S608
            return list(cursor.fetchall())
    except OperationalError as error:
        raise TryAgain() from error


def as_json(value: Any) -> Any:
    """A jsonb value as Python: Django's PostgreSQL backend hands jsonb over as
    text, for its own decoder."""
    return json.loads(value) if isinstance(value, str) else value
