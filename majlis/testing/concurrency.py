"""Run the same work in many threads at once, each on its own database connection."""

import threading
from collections import Counter
from collections.abc import Callable

from django.db import close_old_connections, connection, connections

from majlis.core.exceptions import MajlisError


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
