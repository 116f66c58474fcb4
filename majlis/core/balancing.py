"""Keeping the server's worker processes evenly loaded with connections.

On Linux each of Granian's worker processes listens on a socket of its own
on the same port (``SO_REUSEPORT``), and the kernel hands each new
connection to one of them by a hash of its addresses: evenly on average,
blind to load. A phone's connection then stays with that worker for all its
requests, and the worker holding more connections answers each of them more
slowly, so they stay open longer: under a crowd the split drifts like a
random walk. In the flash-crowd bench one worker held 7 of the 64 clients'
connections while the other held 55 (docs/BENCHMARKS.md, item 28), and every
request of the fuller worker queued behind seven times as many.

So each worker counts, up to ten times a second, the sockets it holds (about
the same number in every worker but for their client connections), writes
the count where its sibling workers read it (a directory `majlis serve`
makes for them), and reads theirs. A worker holding more than the average
answers as many of its next requests as it is above it with
``Connection: close``. The request is answered in full; its client opens a
new connection for the next one, which the kernel hands to a worker by hash
again: the fuller worker sheds connections until the workers are even, within
a slack of two.

Linux only (a worker counts its sockets in ``/proc``); elsewhere a worker
publishes nothing and never sheds.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Set by `majlis serve` for its Granian workers: the directory where each
# writes how many sockets it holds, in a file named by its pid.
BALANCE_CONNECTIONS = "MAJLIS_BALANCE_CONNECTIONS"
# A worker sheds once it holds more than this many above the average...
SLACK_CONNECTIONS = 2
# ...as it finds by looking this often, or less often when looking costs
# more than this share of a core (counting its sockets: 0.2 ms for 64
# connections, 15 ms for 4,000).
LOOK_EVERY_SECONDS = 0.1
LOOK_CPU_SHARE = 0.02
# A count not written again for this long is a worker's that hangs or is
# gone, and is left out.
STALE_SECONDS = 30.0
# A look that failed (the directory gone, say) is tried again after this long,
# not ten times a second into the log.
AFTER_A_FAILED_LOOK_SECONDS = 60.0

logger = logging.getLogger(__name__)

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def open_sockets() -> int | None:
    """How many sockets this process holds open; None where it cannot tell.

    Sockets rather than all files: Granian's workers differ by a few pipes of
    their own.
    """
    directory = "/proc/self/fd"
    try:
        descriptors = os.listdir(directory)
    except OSError:  # not Linux
        return None
    sockets = 0
    for descriptor in descriptors:
        try:
            sockets += os.readlink(f"{directory}/{descriptor}").startswith("socket:")
        except OSError:  # closed since the listing
            continue
    return sockets


def publish(directory: Path, count: int) -> None:
    """Write this worker's count whole, never half (a rename replaces it)."""
    pid = os.getpid()
    draft = directory / f".{pid}"
    draft.write_text(str(count))
    draft.replace(directory / str(pid))


def siblings_counts(directory: Path) -> list[int]:
    """The counts the other workers published, theirs that are alive."""
    counts = []
    me = os.getpid()
    now = time.time()
    for entry in directory.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue  # a draft, or this worker's own
        try:
            os.kill(int(entry.name), 0)
        except ProcessLookupError:  # ended; Granian starts another in its place
            entry.unlink(missing_ok=True)
            continue
        except PermissionError:  # alive, as another user
            pass
        try:
            if now - entry.stat().st_mtime > STALE_SECONDS:
                continue
            counts.append(int(entry.read_text()))
        except (OSError, ValueError):  # removed or replaced meanwhile
            continue
    return counts


def connections_to_shed(mine: int, siblings: list[int]) -> int:
    """How many connections a worker holding ``mine`` should let go: its
    distance above the average of all the workers, once beyond the slack."""
    if not siblings:
        return 0
    above = mine - (mine + sum(siblings)) / (1 + len(siblings))
    return int(above) if above > SLACK_CONNECTIONS else 0


def next_look_in(seconds_spent_looking: float) -> float:
    """The pause after a look that cost ``seconds_spent_looking`` of CPU."""
    return max(LOOK_EVERY_SECONDS, seconds_spent_looking / LOOK_CPU_SHARE)


class ConnectionBalancer:
    """A WSGI wrapper: while its worker holds more than its share of
    connections, its next answers close theirs."""

    def __init__(self, application: WsgiApplication, directory: Path) -> None:
        self.application = application
        self.directory = directory
        self.to_shed = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(
            target=self._watch, name="connection-balancer", daemon=True
        ).start()

    def _watch(self) -> None:
        while True:
            started = time.thread_time()
            looked = self.look_safely()
            spent = time.thread_time() - started
            time.sleep(next_look_in(spent) if looked else AFTER_A_FAILED_LOOK_SECONDS)

    def look_safely(self) -> bool:
        """Look; on any failure shed nothing and say so (the worker serves
        on, unbalanced at worst, and its watch goes on)."""
        try:
            self.look()
        except Exception:
            logger.exception("could not compare this worker's connections")
            with self._lock:
                self.to_shed = 0
            return False
        return True

    def look(self) -> None:
        mine = open_sockets()
        if mine is None:
            return
        publish(self.directory, mine)
        theirs = siblings_counts(self.directory)
        with self._lock:
            self.to_shed = connections_to_shed(mine, theirs)

    def _shed_one(self) -> bool:
        with self._lock:
            if self.to_shed <= 0:
                return False
            self.to_shed -= 1
            return True

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # Only HTTP/1.1 keeps a connection by default (Granian says "HTTP/1"
        # for HTTP/1.0; HTTP/2 has no Connection header, and its streams share
        # one connection anyway).
        if not self.to_shed or environ.get("SERVER_PROTOCOL") != "HTTP/1.1":
            return self.application(environ, start_response)
        closing: bool | None = None  # decided at the first start_response

        def closing_start_response(
            status: str, headers: list[tuple[str, str]], *exc_info: Any
        ) -> Any:
            nonlocal closing
            if closing is None:
                already = any(name.lower() == "connection" for name, _ in headers)
                closing = not already and self._shed_one()
            if closing:  # again if an error replaces the first headers
                headers = [*headers, ("Connection", "close")]
            return start_response(status, headers, *exc_info)

        return self.application(environ, closing_start_response)
