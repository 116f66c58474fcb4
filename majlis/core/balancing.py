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

So each worker looks, up to ten times a second, at how many sockets it and its
sibling workers hold open (about the same number but for their client
connections), and one holding more than the average answers as many of its
next requests as it is above it with ``Connection: close``. The request is
answered in full; its client opens a new connection for the next one, which
the kernel hands to a worker by hash again: the fuller worker sheds
connections until the workers are even.

Linux only (it reads ``/proc``); elsewhere a worker finds no siblings and
never sheds.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Set by `majlis serve` for its Granian workers.
BALANCE_CONNECTIONS = "MAJLIS_BALANCE_CONNECTIONS"
# A worker sheds once it holds more than this many above the average...
SLACK_CONNECTIONS = 2
# ...as it finds by looking this often, or less often when looking costs
# more than this share of a core (a look reads every socket of every worker:
# 0.2 ms for 64 connections, 15 ms a worker for 4,000)...
LOOK_EVERY_SECONDS = 0.1
LOOK_CPU_SHARE = 0.02
# ...at the workers it found among its parent's children this often.
FIND_SIBLINGS_EVERY_SECONDS = 5.0

logger = logging.getLogger(__name__)

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def open_sockets(pid: int) -> int | None:
    """How many sockets the process holds open; None if it cannot be seen.

    All but a few of a worker's sockets are its client connections (the
    others, its listening socket and database connections, are about the same
    in every worker); sockets rather than all files, because Granian's workers
    differ by a few pipes of their own.
    """
    directory = f"/proc/{pid}/fd"
    try:
        descriptors = os.listdir(directory)
    except OSError:  # the process has ended, or this is not Linux
        return None
    sockets = 0
    for descriptor in descriptors:
        try:
            sockets += os.readlink(f"{directory}/{descriptor}").startswith("socket:")
        except OSError:  # closed since the listing
            continue
    return sockets


def sibling_pids() -> list[int]:
    """The other workers: the children of this process's parent started with
    the same command line (Granian starts its workers so; any helper process
    it might start beside them is not one)."""
    parent = os.getppid()
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        mine = Path("/proc/self/cmdline").read_bytes()
    except OSError:
        return []
    me = os.getpid()
    return [
        pid
        for pid in map(int, children.split())
        if pid != me and _command_line(pid) == mine
    ]


def _command_line(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


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

    def __init__(self, application: WsgiApplication) -> None:
        self.application = application
        self.to_shed = 0
        self._lock = threading.Lock()
        self._siblings: list[int] = []
        self._siblings_found_at = -FIND_SIBLINGS_EVERY_SECONDS

    def start(self) -> None:
        threading.Thread(
            target=self._watch, name="connection-balancer", daemon=True
        ).start()

    def _watch(self) -> None:
        while True:
            started = time.thread_time()
            looked = self.look_safely()
            spent = time.thread_time() - started
            time.sleep(next_look_in(spent) if looked else FIND_SIBLINGS_EVERY_SECONDS)

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
        now = time.monotonic()
        if now - self._siblings_found_at >= FIND_SIBLINGS_EVERY_SECONDS:
            # A worker that died is replaced by one with another pid.
            self._siblings = sibling_pids()
            self._siblings_found_at = now
        mine = open_sockets(os.getpid())
        theirs = [
            count for count in map(open_sockets, self._siblings) if count is not None
        ]
        with self._lock:
            self.to_shed = 0 if mine is None else connections_to_shed(mine, theirs)

    def _shed_one(self) -> bool:
        with self._lock:
            if self.to_shed <= 0:
                return False
            self.to_shed -= 1
            return True

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # Only HTTP/1.1 keeps a connection by default (HTTP/2 has no
        # Connection header, and its streams share one connection anyway).
        if not self.to_shed or environ.get("SERVER_PROTOCOL") != "HTTP/1.1":
            return self.application(environ, start_response)

        def closing_start_response(
            status: str, headers: list[tuple[str, str]], *exc_info: Any
        ) -> Any:
            if self._shed_one():
                headers = [*headers, ("Connection", "close")]
            return start_response(status, headers, *exc_info)

        return self.application(environ, closing_start_response)
