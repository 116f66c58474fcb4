"""Which rows a booking change locks, and in what order.

Every change of a booking locks the sessions it may touch, always in primary
key order, so two writers never wait on each other in opposite orders.

A change in one session can cascade: a freed seat promotes the first person
waiting, who gives up the seat they held in an overlapping session, which
promotes the next person there, and so on. Every session such a cascade can
reach overlaps, directly or through others, the session where it began. So a
change locks that session's *overlap group*: the sessions of the event linked
to it by a chain of overlaps (on the demo conference, one afternoon). Two
bookings on different afternoons never wait for each other; two bookings that
could conflict always do, which is also what makes the per-delegate overlap
check safe without a lock on the delegate.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.db import OperationalError, connection, transaction

from majlis.core.exceptions import TryAgain
from majlis.events.models import Event, Session, intervals_overlap


def overlap_group_ids(
    session: Session, *, moved_to: tuple[datetime, datetime] | None = None
) -> list[int]:
    """The ids of the sessions linked to ``session`` by a chain of overlaps; with
    ``moved_to``, as if the session had those start and end times."""
    rows = [
        (
            session_id,
            *(moved_to if moved_to and session_id == session.pk else (starts, ends)),
        )
        for session_id, starts, ends in Session.objects.filter(
            event_id=session.event_id
        ).values_list("id", "starts_at", "ends_at")
    ]
    rows.sort(key=lambda row: row[1])
    # Sorted by start, the chains are the runs in which each session starts
    # before the latest end seen so far.
    group: list[int] = []
    run_end = None
    found = False
    for session_id, starts_at, ends_at in rows:
        if run_end is None or starts_at >= run_end:
            if found:
                break
            group = []
            run_end = ends_at
        else:
            run_end = max(run_end, ends_at)
        group.append(session_id)
        if session_id == session.pk:
            found = True
    return sorted(group) if found else [session.pk]


def lock_overlap_group(
    session: Session, *, moved_to: tuple[datetime, datetime] | None = None
) -> dict[int, Session]:
    """Lock the overlap group of ``session``; with ``moved_to``, also the group
    it would join at those times.

    The group is worked out before the lock is held, so a session moved in the
    meantime could join it: after locking, the group is worked out again and
    any newcomer locked too. Such a late lock breaks the primary-key order,
    and PostgreSQL may then report a deadlock, which becomes ``TryAgain``;
    moving a session is rare enough for that to be the right trade.
    """

    def wanted() -> set[int]:
        ids = set(overlap_group_ids(session))
        if moved_to is not None:
            ids |= set(overlap_group_ids(session, moved_to=moved_to))
        return ids

    locked: dict[int, Session] = {}
    for _attempt in range(5):
        missing = wanted() - set(locked)
        if not missing:
            return locked
        locked |= lock_sessions(missing)
    raise TryAgain()


def lock_event_schedule(event_id: int) -> None:
    """Serialise changes of an event's timetable (moving sessions).

    Two moves into the same free slot would each lock only their own session,
    see no clash, and both commit. Moves are rare, so they queue on the
    event's row; bookings never take this lock.
    """
    _set_lock_timeout()
    try:
        list(Event.objects.select_for_update().filter(pk=event_id).values_list("pk"))
    except OperationalError as error:
        raise TryAgain() from error


def _set_lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms"],
            )


def lock_sessions(session_ids: Iterable[int]) -> dict[int, Session]:
    """Lock the sessions by primary key order and return them fresh from the database.

    Waits at most ``MAJLIS_LOCK_TIMEOUT_MS`` and then raises ``TryAgain``: under
    a flash crowd a polite "try again" beats a request that hangs.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_sessions() must run inside a transaction")
    ids = sorted(set(session_ids))
    _set_lock_timeout()
    try:
        sessions = list(
            Session.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk__in=ids)
            .order_by("pk")
        )
    except OperationalError as error:
        raise TryAgain() from error
    return {session.pk: session for session in sessions}


def sessions_overlapping(
    session: Session, sessions: Iterable[Session]
) -> list[Session]:
    return [
        other
        for other in sessions
        if other.pk != session.pk
        and intervals_overlap(
            session.starts_at, session.ends_at, other.starts_at, other.ends_at
        )
    ]


def busy_means_try_again[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Turn the database's "busy" errors into ``TryAgain`` for the caller.

    Under load a statement may wait too long for a row lock (PostgreSQL's
    lock_timeout, which stays set for the whole transaction), be picked as a
    deadlock victim, or, on SQLite, find the write lock taken. None of these
    changed anything, and a retry may well succeed. Applied outside
    ``transaction.atomic`` so the transaction is already rolled back.
    """

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            raise TryAgain() from error

    return wrapper
