"""Run the same work in many threads at once, each on its own database connection."""

import threading
from collections import Counter
from collections.abc import Callable

from django.db import (
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)

from majlis.core.exceptions import MajlisError
from majlis.events.models import Session


def run_together(count: int, work: Callable[[int], object]) -> Counter[str]:
    """Run ``work(i)`` in ``count`` threads that connect first, then start together.

    Returns how often each outcome came: what ``work`` returned (as text), the
    code of a ``MajlisError``, or ``crash: <type>`` for anything else, so that a
    failed assertion shows what broke.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            row = cursor.fetchone()
        allowed = int(row[0]) if row else 0
        if allowed <= count + 5:
            raise RuntimeError(
                f"PostgreSQL allows {allowed} connections; this needs {count + 5}. "
                "Run scripts/ensure-services, which raises the limit."
            )
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            try:
                outcome = str(work(index))
            except MajlisError as error:
                outcome = error.code
            except Exception as error:  # counted, so the assertion shows what broke
                outcome = f"crash: {type(error).__name__}"
            with lock:
                outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return outcomes


# PostgreSQL's "lock_not_available": NOWAIT found the row locked.
_LOCK_NOT_AVAILABLE = "55P03"


def row_lock_taken(session: Session) -> bool:
    """Whether another connection finds the session's row locked right now.

    Any other failure of the probe (a lost connection, a timeout) is raised,
    not taken for a lock, so that a test expecting the lock cannot pass on it.
    """
    found: dict[str, bool] = {}
    failures: list[Exception] = []

    def probe() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM events_session WHERE id = %s FOR UPDATE NOWAIT",
                    [session.pk],
                )
            found["locked"] = False
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                found["locked"] = True
            else:
                failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=30)
    if failures:
        raise failures[0]
    return found["locked"]
