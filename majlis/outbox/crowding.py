"""How busy the machine's CPU is with work that comes before email.

The outbox worker reads it to leave the CPU to the requests of a flash crowd
(docs/BENCHMARKS.md): a nice value alone did not, as Linux weighs it only
against the processes of the same scheduling group, and PostgreSQL runs in
another.
"""

import time
from collections.abc import Callable
from pathlib import Path

CPU_TIMES = Path("/proc/stat")
# The priority of the email workers, below every request (`majlis serve` sets
# it; a worker that may pause sets it itself).
OUTBOX_NICENESS = 19


class CpuBusy:
    """The share of the machine's CPU time, since the previous reading, spent
    on processes that are not niced (requests, the database), or lost to the
    hypervisor. Time of niced processes, the outbox workers themselves among
    them, counts as free: their own work must not tell them to stop."""

    # A shorter window is mostly noise: the previous share stands meanwhile.
    SHORTEST_WINDOW_SECONDS = 0.1

    def __init__(
        self,
        source: Path = CPU_TIMES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.clock = clock
        self._previous: tuple[float, int, int] | None = None
        self._share: float | None = None

    def _busy_and_total_ticks(self) -> tuple[int, int] | None:
        """``None`` where the kernel does not say (another system)."""
        try:
            line = self.source.read_text().splitlines()[0]
            name, *fields = line.split()
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, fields[:8])
        except (OSError, IndexError, ValueError):
            return None
        if name != "cpu":
            return None
        busy = user + system + irq + softirq + steal
        return busy, busy + nice + idle + iowait

    def share(self) -> float | None:
        """Between 0 and 1; ``None`` when unknown (no /proc/stat, or a first
        reading)."""
        now = self.clock()
        previous = self._previous
        if previous and now - previous[0] < self.SHORTEST_WINDOW_SECONDS:
            return self._share
        ticks = self._busy_and_total_ticks()
        if ticks is None:
            return None
        busy, total = ticks
        self._previous = (now, busy, total)
        if previous is None or total <= previous[2]:
            return None
        self._share = min(1.0, max(0.0, (busy - previous[1]) / (total - previous[2])))
        return self._share


class CrowdYield:
    """Whether an outbox worker should pause before its next claim: while the
    CPU is crowded, for at most ``longest_seconds`` at a time, after which
    ``then_send`` more checks in a row say go (a round of messages), so that
    email is late in a flash crowd but keeps moving."""

    def __init__(
        self,
        cpu: CpuBusy,
        *,
        threshold: float,
        longest_seconds: float,
        then_send: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cpu = cpu
        self.threshold = threshold
        self.longest_seconds = longest_seconds
        self.then_send = then_send
        self.clock = clock
        self.pausing_since: float | None = None
        self.granted = 0

    def should_pause(self) -> bool:
        if self.threshold <= 0:
            return False
        if self.granted:
            self.granted -= 1
            return False
        share = self.cpu.share()
        if share is None or share < self.threshold:
            self.pausing_since = None
            return False
        now = self.clock()
        if self.pausing_since is None:
            self.pausing_since = now
        if now - self.pausing_since >= self.longest_seconds:
            self.pausing_since = None
            self.granted = self.then_send
            return False
        return True
