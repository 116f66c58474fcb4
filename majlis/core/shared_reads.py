"""What every delegate's page shows alike, read once a second per process.

In a flash crowd thousands of delegates open the same few pages: the
programme, a session, its event, its groups. What is the same for everyone
there is read at most once every ``MAJLIS_PROGRAMME_FRESH_SECONDS`` (one) by
each process and kept in its memory (the ``programme`` cache); what is a
delegate's own is read on every request. A change shows within that second.
"""

import time
from collections.abc import Callable

from django.core.cache import caches

_NOT_KEPT = object()


def read_at_most_every[T](key: str, fresh_for: float, read: Callable[[], T]) -> T:
    """What ``read`` gave this process at most ``fresh_for`` seconds ago
    (``None`` included; a new read when ``fresh_for`` is 0). Counted from
    before the read, not from its end: a value never outlives ``fresh_for``
    by the time its query took."""
    kept = caches["programme"].get(key, _NOT_KEPT) if fresh_for > 0 else _NOT_KEPT
    if kept is not _NOT_KEPT:
        return kept  # type: ignore[return-value]
    read_at = time.time()
    found = read()
    remaining = read_at + fresh_for - time.time()
    if fresh_for > 0 and remaining > 0:
        caches["programme"].set(key, found, remaining)
    return found
