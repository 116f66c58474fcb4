"""The flash crowd's load generator: a separate process, over keep-alive connections.

One asyncio loop drives every client. In a crowd each delegate is a phone of
their own: a client opens a keep-alive HTTP/1.1 connection for each delegate
it plays, and the delegate's requests share it. The floor's clients keep one
connection for the whole run. The
HTTP is written by hand (requests and answers with Content-Length only, which
is all Majlis sends here) because a client library would cost more CPU than
the server it measures on a two-core machine.

Modes:
- ``floor``: GET one address as fast as the clients can, for some seconds.
- ``crowd``: every delegate of the plan loads the programme twice and books
  one session per day from a skewed popularity; half of those put on a waiting
  list ask for another session of the same day with ``switch``; some cancel.
  With ``--rate``, requests are sent at a steady offered rate instead, and each
  latency counts from the moment the request was due (so a slow answer also
  delays the ones behind it, as it would for real users).

Writes a JSON report: counts, latencies, errors and every answered booking.
"""

import argparse
import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ProtocolError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = -1

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.reconnects += 1

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        assert self.writer is not None and self.reader is not None
        self.writer.write(head + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        lower = raw.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise ProtocolError(f"no Content-Length in {raw[:200]!r}")
        end = lower.find(b"\r\n", at + 2)
        length = int(lower[at + 17 : end])
        answer = await self.reader.readexactly(length) if length else b""
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.reader = None


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)
    cancellations: list[int] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def note(self, kind: str, status: int, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        by_status = self.statuses.setdefault(kind, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1

    def summary(self) -> dict[str, Any]:
        wall = self.finished - self.started
        kinds = {}
        for kind, values in self.latencies.items():
            ordered = sorted(values)
            kinds[kind] = {
                "requests": len(ordered),
                "per_second": len(ordered) / wall if wall else 0.0,
                "p50_ms": _quantile(ordered, 0.50) * 1000,
                "p95_ms": _quantile(ordered, 0.95) * 1000,
                "p99_ms": _quantile(ordered, 0.99) * 1000,
                "max_ms": ordered[-1] * 1000 if ordered else 0.0,
                "statuses": self.statuses.get(kind, {}),
            }
        total = sum(len(values) for values in self.latencies.values())
        return {
            "wall_seconds": wall,
            "requests": total,
            "requests_per_second": total / wall if wall else 0.0,
            "kinds": kinds,
            "errors": len(self.errors),
            "error_samples": self.errors[:20],
            "bookings": self.bookings,
            "cancellations": self.cancellations,
        }


def _quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Pacer:
    """Hands out send times at a steady rate; None means as fast as possible."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.start = time.perf_counter()
        self.issued = 0

    async def slot(self) -> float:
        now = time.perf_counter()
        if self.rate is None:
            return now
        due = self.start + self.issued / self.rate
        self.issued += 1
        if due > now:
            await asyncio.sleep(due - now)
        return due


async def timed(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    kind: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
    ok: tuple[int, ...] = (200,),
) -> tuple[int, bytes]:
    due = await pacer.slot()
    try:
        status, answer = await connection.request(method, path, headers, body)
    except (OSError, asyncio.IncompleteReadError, ProtocolError, ValueError) as error:
        await connection.close()
        results.note(kind, 0, time.perf_counter() - due)
        results.errors.append(f"{kind} {method} {path}: {error!r}")
        return 0, b""
    results.note(kind, status, time.perf_counter() - due)
    if status not in ok:
        results.errors.append(f"{kind} {method} {path}: {status} {answer[:300]!r}")
    return status, answer


def pick(rng: random.Random, sessions: list[dict[str, Any]], avoid: str = "") -> str:
    choices = [s for s in sessions if s["code"] != avoid]
    weights = [s["popularity"] for s in choices]
    return rng.choices([s["code"] for s in choices], weights=weights)[0]


async def delegate_journey(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    delegate: dict[str, Any],
    rng: random.Random,
) -> None:
    api = plan["api"]
    programme = f"{api}/events/{plan['event']}/sessions"
    read_headers = {"Accept-Language": delegate["language"]}
    for _time in range(plan.get("programme_reads", 2)):
        await timed(
            connection, pacer, results, "programme", "GET", programme, read_headers
        )
    auth = {
        "Authorization": f"Bearer {delegate['token']}",
        "Content-Type": "application/json",
        "Accept-Language": delegate["language"],
    }
    confirmed: list[int] = []
    for day in plan["days"]:
        first = pick(rng, day)
        status, booking = await book(
            connection, pacer, results, plan, auth, first, False
        )
        if status == 201 and booking["status"] == "confirmed":
            confirmed.append(booking["id"])
        if status == 201 and booking["status"] == "waitlisted" and rng.random() < 0.5:
            other = pick(rng, day, avoid=first)
            status, booking = await book(
                connection, pacer, results, plan, auth, other, True
            )
            if status == 201 and booking["status"] == "confirmed":
                confirmed.append(booking["id"])
    if confirmed and rng.random() < plan["cancel_share"]:
        booking_id = rng.choice(confirmed)
        status, _answer = await timed(
            connection, pacer, results, "cancel", "DELETE",
            f"{api}/bookings/{booking_id}", auth,
        )  # fmt: skip
        if status == 200:
            results.cancellations.append(booking_id)


async def book(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    auth: dict[str, str],
    code: str,
    switch: bool,
) -> tuple[int, dict[str, Any]]:
    path = f"{plan['api']}/events/{plan['event']}/sessions/{code}/bookings"
    headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
    body = json.dumps({"switch": switch}).encode()
    status, answer = await timed(
        connection, pacer, results, "booking", "POST", path, headers, body, ok=(201,)
    )
    if status != 201:
        return status, {}
    booking = json.loads(answer)
    results.bookings.append(
        {"id": booking["id"], "status": booking["status"], "session": code}
    )
    return status, booking


def connection_for(args: argparse.Namespace, number: int) -> Connection:
    """Client ``number``'s connection, the clients spread over the targets."""
    host, port = args.target[number % len(args.target)].split(":")
    return Connection(host, int(port))


async def run_clients(
    count: int, client: Callable[[int], Awaitable[None]], pacer: Pacer, results: Results
) -> None:
    results.started = time.perf_counter()
    pacer.start = results.started
    await asyncio.gather(*(client(n) for n in range(count)))
    results.finished = time.perf_counter()


async def run_crowd(args: argparse.Namespace) -> Results:
    plan = json.loads(Path(args.plan).read_text())
    if args.no_reads:
        plan["programme_reads"] = 0
    delegates = plan["delegates"]
    if args.delegates:
        delegates = delegates[: args.delegates]
    pacer = Pacer(args.rate)
    results = Results()
    next_delegate = iter(delegates)

    async def client(number: int) -> None:
        connection = connection_for(args, number)
        rng = random.Random(number)
        for delegate in next_delegate:
            # Each delegate is a phone of their own, with its own keep-alive
            # connection. One connection carrying a client's every delegate
            # pinned 4 to 29 of the 64 to each Granian worker for the whole run
            # (docs/BENCHMARKS.md): a crowd of devices spreads itself.
            await connection.close()
            await delegate_journey(connection, pacer, results, plan, delegate, rng)
        await connection.close()

    await run_clients(args.clients, client, pacer, results)
    return results


async def run_floor(args: argparse.Namespace) -> Results:
    pacer = Pacer(args.rate)
    results = Results()
    deadline = time.perf_counter() + args.seconds

    async def client(number: int) -> None:
        connection = connection_for(args, number)
        while time.perf_counter() < deadline:
            await timed(connection, pacer, results, "floor", "GET", args.path, {})
        await connection.close()

    await run_clients(args.clients, client, pacer, results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["crowd", "floor"])
    parser.add_argument("--target", action="append", required=True, help="host:port")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rate", type=float, help="offered requests per second")
    parser.add_argument("--plan", help="the crowd's plan (JSON)")
    parser.add_argument("--delegates", type=int, help="only the first N delegates")
    parser.add_argument(
        "--no-reads", action="store_true", help="the crowd books without reading"
    )
    parser.add_argument("--path", default="/api/v1/health/live")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    runner = run_crowd if args.mode == "crowd" else run_floor
    cpu_before = time.process_time()
    results = asyncio.run(runner(args))
    summary = results.summary()
    summary["loadgen_cpu_seconds"] = time.process_time() - cpu_before
    Path(args.out).write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
