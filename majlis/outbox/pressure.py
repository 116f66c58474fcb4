"""How crowded the machine's CPU is, from Linux's pressure stall information.

The outbox worker reads it to leave the CPU to the requests of a flash crowd
(docs/BENCHMARKS.md): niceness alone did not, as Linux weighs a nice value only
against the processes of the same scheduling group, and PostgreSQL runs in
another.
"""

import time
from collections.abc import Callable
from pathlib import Path

CPU_PRESSURE = Path("/proc/pressure/cpu")


class CpuPressure:
    """The share of wall-clock time during which some runnable task waited for
    a CPU (PSI's "some" line), over the time since the previous reading."""

    # A shorter window is mostly noise: the previous share stands meanwhile.
    SHORTEST_WINDOW_SECONDS = 0.1

    def __init__(
        self,
        source: Path = CPU_PRESSURE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.clock = clock
        self._previous: tuple[float, int] | None = None
        self._share: float | None = None

    def _stalled_microseconds(self) -> int | None:
        """The running total of stalled time; ``None`` without PSI (another
        system, or a kernel built without it)."""
        try:
            some = self.source.read_text().splitlines()[0]
            fields = dict(item.split("=") for item in some.split()[1:])
            return int(fields["total"])
        except (OSError, IndexError, KeyError, ValueError):
            return None

    def share(self) -> float | None:
        """Between 0 and 1; ``None`` when unknown (no PSI, or a first reading)."""
        now = self.clock()
        previous = self._previous
        if previous and now - previous[0] < self.SHORTEST_WINDOW_SECONDS:
            return self._share
        stalled = self._stalled_microseconds()
        if stalled is None:
            return None
        self._previous = (now, stalled)
        if previous is None:
            return None
        elapsed_microseconds = (now - previous[0]) * 1_000_000
        self._share = min(1.0, max(0.0, (stalled - previous[1]) / elapsed_microseconds))
        return self._share


class CrowdYield:
    """Whether an outbox worker should pause before its next claim: while the
    CPU is crowded, for at most ``longest_seconds`` at a time, after which
    ``then_send`` more checks in a row say go (a round of messages), so that
    email is late in a flash crowd but keeps moving."""

    def __init__(
        self,
        pressure: CpuPressure,
        *,
        threshold: float,
        longest_seconds: float,
        then_send: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pressure = pressure
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
        share = self.pressure.share()
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
