"""The flash crowd's load generator: a separate process, over keep-alive connections.

One asyncio loop drives every client. In a crowd each delegate is a phone of
their own: a client opens a keep-alive HTTP/1.1 connection for each delegate
it plays, and the delegate's requests share it. The floor's clients keep one
connection for the whole run. The HTTP is written by hand (answers with a
Content-Length or chunked, which is all Majlis and nginx send here) because
a client library would cost more CPU than the server it measures on a
two-core machine.

Modes:
- ``floor``: GET one address as fast as the clients can, for some seconds.
- ``crowd``: every delegate of the plan loads the programme twice and books
  one session per day from a skewed popularity; half of those put on a waiting
  list ask for another session of the same day with ``switch``; some cancel.
  With ``--rate``, requests are sent at a steady offered rate instead, and each
  latency counts from the moment the request was due (so a slow answer also
  delays the ones behind it, as it would for real users).
- ``mixed``: a crowd as it behaves (MIXED_SHARES): each delegate reads the
  programme and books one or two sessions a day, some first bookings double
  clicked without a key, some retried with their key; a delegate holding a
  seat tries another session at the same time or switches to it; some look
  at their bookings and cancel one.
- ``repeats``: one first choice a day; with ``--again``, the same requests
  again once booked (expected refused).
- ``pages``: signed-in delegates book through the web pages (session page,
  then its booking form as htmx posts it, answered with the booking area).

With ``--sign-ins N``, N delegates outside the crowd ask for a sign-in link
while it runs. Every answer a phase does not expect is counted as an error,
with samples. Writes a JSON report: counts, latencies, errors and every
answered booking.
"""

import argparse
import asyncio
import contextlib
import json
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode


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
        self.last_head = b""

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
        self.last_head = raw
        status = int(raw[9:12])
        lower = raw.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.find(b"\r\n", at + 2)
            length = int(lower[at + 17 : end])
            answer = await self.reader.readexactly(length) if length else b""
        elif b"\r\ntransfer-encoding: chunked" in lower:
            answer = await self._read_chunks()
        else:
            raise ProtocolError(f"no Content-Length in {raw[:200]!r}")
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, answer

    async def _read_chunks(self) -> bytes:
        """A chunked body (nginx compresses on the fly that way)."""
        assert self.reader is not None
        chunks: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def header(self, name: str) -> list[str]:
        """Every value of header ``name`` in the last answer."""
        wanted = name.lower().encode() + b":"
        return [
            line[len(wanted) :].strip().decode("latin-1")
            for line in self.last_head.split(b"\r\n")[1:]
            if line.lower().startswith(wanted)
        ]

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
    # Timings that are not one request (a booking through three pages), and
    # what the answers said, by name: reported apart from the requests.
    spans: dict[str, list[float]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    sign_ins: list[dict[str, Any]] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def note(self, kind: str, status: int, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        by_status = self.statuses.setdefault(kind, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1

    def span(self, name: str, seconds: float) -> None:
        self.spans.setdefault(name, []).append(seconds)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def summary(self) -> dict[str, Any]:
        wall = self.finished - self.started
        kinds = {}
        for kind, values in self.latencies.items():
            kinds[kind] = {
                **_figures(values, wall),
                "statuses": self.statuses.get(kind, {}),
            }
        total = sum(len(values) for values in self.latencies.values())
        return {
            "wall_seconds": wall,
            "requests": total,
            "requests_per_second": total / wall if wall else 0.0,
            "kinds": kinds,
            "all": _figures(
                [value for values in self.latencies.values() for value in values], wall
            ),
            "spans": {
                name: _figures(values, wall) for name, values in self.spans.items()
            },
            "outcomes": dict(sorted(self.outcomes.items())),
            "errors": len(self.errors),
            "error_samples": self.errors[:20],
            "bookings": self.bookings,
            "cancellations": self.cancellations,
            "sign_ins": self.sign_ins,
        }


def _figures(values: list[float], wall: float) -> dict[str, Any]:
    ordered = sorted(values)
    return {
        "requests": len(ordered),
        "per_second": len(ordered) / wall if wall else 0.0,
        "p50_ms": _quantile(ordered, 0.50) * 1000,
        "p95_ms": _quantile(ordered, 0.95) * 1000,
        "p99_ms": _quantile(ordered, 0.99) * 1000,
        "max_ms": ordered[-1] * 1000 if ordered else 0.0,
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
    programme = programme_path(plan)
    read_headers = {"Accept-Language": delegate["language"]}
    for _time in range(plan.get("programme_reads", 2)):
        await timed(
            connection, pacer, results, "programme", "GET", programme, read_headers
        )
    auth = delegate_auth(delegate)
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
        await cancel(connection, pacer, results, plan, auth, rng.choice(confirmed))


async def book(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    auth: dict[str, str],
    code: str,
    switch: bool,
    *,
    kind: str = "booking",
    key: str | None = "",
    ok: tuple[int, ...] = (201,),
) -> tuple[int, dict[str, Any]]:
    """POST a booking of ``code``: with a new Idempotency-Key (``key`` empty),
    the given one, or none (``None``). The answer, parsed; a 201's booking is
    kept for the rule check."""
    path = bookings_path(plan, code)
    headers = dict(auth)
    if key is not None:
        headers["Idempotency-Key"] = key or uuid.uuid4().hex
    body = json.dumps({"switch": switch}).encode()
    status, answer = await timed(
        connection, pacer, results, kind, "POST", path, headers, body, ok=ok
    )
    try:
        parsed = json.loads(answer) if answer else {}
    except ValueError:
        parsed = {}
    if status == 201:
        results.bookings.append(
            {"id": parsed["id"], "status": parsed["status"], "session": code}
        )
    return status, parsed


async def cancel(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    auth: dict[str, str],
    booking_id: int,
) -> None:
    """DELETE a booking; a 200's booking is kept for the rule check."""
    status, _answer = await timed(
        connection,
        pacer,
        results,
        "cancel",
        "DELETE",
        f"{plan['api']}/bookings/{booking_id}",
        auth,
    )
    if status == 200:
        results.cancellations.append(booking_id)


def programme_path(plan: dict[str, Any]) -> str:
    return f"{plan['api']}/events/{plan['event']}/sessions"


def bookings_path(plan: dict[str, Any], code: str) -> str:
    return f"{programme_path(plan)}/{code}/bookings"


def error_code(answer: dict[str, Any]) -> str:
    return str(answer.get("error", {}).get("code", "")) if answer else ""


def connection_for(args: argparse.Namespace, number: int) -> Connection:
    """Client ``number``'s connection, the clients spread over the targets."""
    host, port = args.target[number % len(args.target)].split(":")
    return Connection(host, int(port))


async def run_clients(
    count: int,
    client: Callable[[int], Awaitable[None]],
    pacer: Pacer,
    results: Results,
    beside: Callable[[asyncio.Event], Awaitable[None]] | None = None,
) -> None:
    """``count`` clients at once; ``beside``, if given, runs while they do and
    is told when they are done."""
    results.started = time.perf_counter()
    pacer.start = results.started
    done = asyncio.Event()
    companion = asyncio.ensure_future(beside(done)) if beside else None
    await asyncio.gather(*(client(n) for n in range(count)))
    results.finished = time.perf_counter()
    done.set()
    if companion is not None:
        await companion


def sign_ins(
    args: argparse.Namespace, plan: dict[str, Any], results: Results
) -> Callable[[asyncio.Event], Awaitable[None]] | None:
    """While the crowd runs, delegates who are not part of it ask for a
    sign-in link, one every ``--sign-in-every`` seconds, each noted with the
    wall-clock time it was sent (the mail sink notes when the email arrives)."""
    start = args.sign_ins_from
    emails = plan.get("sign_in", [])[start : start + args.sign_ins]
    if not emails:
        return None

    async def ask(done: asyncio.Event) -> None:
        connection = connection_for(args, 0)
        path = f"{plan['api']}/auth/magic-link"
        headers = {"Content-Type": "application/json"}
        for email in emails:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), args.sign_in_every)
            if done.is_set():
                break
            body = json.dumps({"event": plan["event"], "email": email}).encode()
            sent_at = time.time()
            status, _answer = await timed(
                connection,
                Pacer(None),
                results,
                "sign-in",
                "POST",
                path,
                headers,
                body,
                ok=(202,),
            )
            results.sign_ins.append(
                {"email": email, "sent_at": sent_at, "status": status}
            )
        await connection.close()

    return ask


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

    await run_clients(
        args.clients, client, pacer, results, sign_ins(args, plan, results)
    )
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


# The mixed crowd's habits, as shares: of first bookings of a day sent as a
# double click (two at once, no Idempotency-Key: about a quarter of all
# requests), of keyed bookings retried with their key, of delegates holding a
# seat who then try another session at the same time (refused) or switch to
# one, of delegates waiting who also book a second session of the day, of
# delegates who look at their bookings afterwards, and of those who then
# cancel one.
MIXED_SHARES = {
    "double": 0.35,
    "retry": 0.2,
    "conflict": 0.3,
    "switch": 0.3,
    "second": 0.5,
    "my bookings": 0.5,
    "cancel": 0.3,
}


def delegate_auth(delegate: dict[str, Any]) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {delegate['token']}",
        "Content-Type": "application/json",
        "Accept-Language": delegate["language"],
    }


async def double_click(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    auth: dict[str, str],
    code: str,
) -> dict[str, Any]:
    """The same booking twice at once and without a key, the second over a
    connection of its own (as a browser opens one while the first is busy).
    Expected: one booking, and the other answered "already booked"."""
    extra = Connection(connection.host, connection.port)
    answers = await asyncio.gather(
        *(
            book(
                on,
                pacer,
                results,
                plan,
                auth,
                code,
                False,
                kind="double",
                key=None,
                ok=(201, 409),
            )
            for on in (connection, extra)
        )
    )
    await extra.close()
    booked = [answer for status, answer in answers if status == 201]
    refused = sorted(error_code(answer) for status, answer in answers if status == 409)
    results.count(f"double: {len(booked)} booked, refused {refused or 'none'}")
    if len(booked) != 1 or refused not in ([], ["already_booked"]):
        results.errors.append(f"double click on {code}: {answers}")
    return booked[0] if booked else {}


async def mixed_journey(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    delegate: dict[str, Any],
    rng: random.Random,
) -> None:
    share = MIXED_SHARES
    programme = programme_path(plan)
    await timed(
        connection,
        pacer,
        results,
        "read",
        "GET",
        programme,
        {"Accept-Language": delegate["language"]},
    )
    auth = delegate_auth(delegate)
    for day in plan["days"]:
        first = pick(rng, day)
        if rng.random() < share["double"]:
            held = await double_click(connection, pacer, results, plan, auth, first)
        else:
            key = uuid.uuid4().hex
            status, held = await book(
                connection,
                pacer,
                results,
                plan,
                auth,
                first,
                False,
                kind="book",
                key=key,
            )
            if status == 201 and rng.random() < share["retry"]:
                # The same request again, as an app does when the answer was lost.
                again_status, again = await timed(
                    connection,
                    pacer,
                    results,
                    "retry",
                    "POST",
                    bookings_path(plan, first),
                    {**auth, "Idempotency-Key": key},
                    b'{"switch": false}',
                    ok=(201,),
                )
                if again_status == 201 and json.loads(again)["id"] != held["id"]:
                    results.errors.append(f"retry of {held} answered {again!r}")
        if held.get("status") == "confirmed":
            if rng.random() < share["conflict"]:
                status, refused = await book(
                    connection,
                    pacer,
                    results,
                    plan,
                    auth,
                    pick(rng, day, first),
                    False,
                    kind="conflict",
                    ok=(409,),
                )
                if status == 409 and error_code(refused) != "time_conflict":
                    results.errors.append(f"conflict answered {refused}")
            if rng.random() < share["switch"]:
                await book(
                    connection,
                    pacer,
                    results,
                    plan,
                    auth,
                    pick(rng, day, first),
                    True,
                    kind="switch",
                )
        elif held.get("status") == "waitlisted" and rng.random() < share["second"]:
            # Waiting is no seat: a second waiting list (or a seat) the same
            # day; refused as a conflict if the first list gave a seat meanwhile.
            status, second = await book(
                connection,
                pacer,
                results,
                plan,
                auth,
                pick(rng, day, first),
                False,
                kind="book",
                ok=(201, 409),
            )
            if status == 409:
                results.count(f"second booking of a day refused: {error_code(second)}")
                if error_code(second) != "time_conflict":
                    results.errors.append(f"second booking answered {second}")
    if rng.random() < share["my bookings"]:
        status, answer = await timed(
            connection,
            pacer,
            results,
            "my bookings",
            "GET",
            f"{plan['api']}/me/bookings",
            auth,
        )
        confirmed = [
            booking["id"]
            for booking in (json.loads(answer)["bookings"] if status == 200 else [])
            if booking["status"] == "confirmed"
        ]
        if confirmed and rng.random() < share["cancel"]:
            await cancel(connection, pacer, results, plan, auth, rng.choice(confirmed))


async def run_mixed(args: argparse.Namespace) -> Results:
    return await _each_delegate(args, mixed_journey)


async def repeat_journey(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    delegate: dict[str, Any],
    rng: random.Random,
    *,
    again: bool,
) -> None:
    """One booking a day, first choices only; ``again``: the same requests
    once booked (new keys: new requests, not retries), expected refused."""
    auth = delegate_auth(delegate)
    for day in plan["days"]:
        code = pick(rng, day)
        if not again:
            await book(connection, pacer, results, plan, auth, code, False)
            continue
        status, answer = await book(
            connection,
            pacer,
            results,
            plan,
            auth,
            code,
            False,
            kind="repeat",
            ok=(409,),
        )
        results.count(f"repeat answered {status} {error_code(answer)}".strip())


async def run_repeats(args: argparse.Namespace) -> Results:
    async def journey(*given: Any) -> None:
        await repeat_journey(*given, again=args.again)

    return await _each_delegate(args, journey)


async def _each_delegate(
    args: argparse.Namespace,
    journey: Callable[..., Awaitable[None]],
) -> Results:
    """Every delegate of the plan through ``journey``, ``--clients`` at once,
    each on a connection of their own, with choices drawn from a generator of
    their own: the same delegate makes the same choices in every run."""
    plan = json.loads(Path(args.plan).read_text())
    delegates = list(enumerate(plan["delegates"]))
    if args.delegates:
        delegates = delegates[: args.delegates]
    pacer = Pacer(args.rate)
    results = Results()
    next_delegate = iter(delegates)

    async def client(number: int) -> None:
        connection = connection_for(args, number)
        for index, delegate in next_delegate:
            await connection.close()
            rng = random.Random(index)
            await journey(connection, pacer, results, plan, delegate, rng)
        await connection.close()

    await run_clients(
        args.clients, client, pacer, results, sign_ins(args, plan, results)
    )
    return results


class CookieJar:
    """A browser's cookies for one site, enough for Django's."""

    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = dict(cookies)

    def take(self, connection: Connection) -> None:
        for line in connection.header("set-cookie"):
            pair, _sep, attributes = line.partition(";")
            name, _eq, value = pair.strip().partition("=")
            lower = attributes.lower()
            if "max-age=0" in lower or "1970" in lower:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')

    def header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


BOOK_FORM = re.compile(r'<form method="post" action="([^"]*/book/)">(.*?)</form>', re.S)
FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
BADGE = re.compile(r'class="badge badge-(confirmed|waitlisted)"')
CANCEL_ACTION = re.compile(r'action="[^"]*/bookings/(\d+)/cancel/"')
MESSAGE = re.compile(r'class="message message-(\w+)"')


def htmx_form_headers(site: str, page: str) -> dict[str, str]:
    """What the session page's booking area (htmx, boosted) sends with its form."""
    return {
        "Referer": site + page,
        "Origin": site,
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "HX-Boosted": "true",
        "HX-Current-URL": site + page,
        "HX-Target": "booking-area",
    }


async def pages_journey(
    connection: Connection,
    pacer: Pacer,
    results: Results,
    plan: dict[str, Any],
    delegate: dict[str, Any],
    rng: random.Random,
) -> None:
    """A signed-in delegate books one session a day through the pages: opens
    the session's page, and posts its booking form as the browser does (htmx,
    with the CSRF token and cookie, Referer and Origin, the form's one-time
    token), whose answer is the booking area swapped into the page."""
    site = f"http://{connection.host}:{connection.port}"
    jar = CookieJar({plan["session_cookie"]: delegate["web_session"]})
    base = {"Accept-Language": delegate["language"], "Accept": "text/html"}
    for day in plan["days"]:
        code = pick(rng, day)
        page = f"{plan['site']}/s/{code}/"
        began = time.perf_counter()
        status, html = await timed(
            connection,
            pacer,
            results,
            "session page",
            "GET",
            page,
            {**base, **jar.header()},
        )
        jar.take(connection)
        form = BOOK_FORM.search(html.decode()) if status == 200 else None
        if form is None:
            results.count("no booking form on the session page")
            if status == 200:
                results.errors.append(f"no booking form on {page}")
            continue
        fields = dict(FIELD.findall(form.group(2)))
        body = urlencode(fields).encode()
        status, answer = await timed(
            connection,
            pacer,
            results,
            "booking form",
            "POST",
            form.group(1),
            {**base, **jar.header(), **htmx_form_headers(site, page)},
            body,
            ok=(200,),
        )
        jar.take(connection)
        results.span("booking, page and form", time.perf_counter() - began)
        text = answer.decode()
        badge, booking_id = BADGE.search(text), CANCEL_ACTION.search(text)
        said = sorted(set(MESSAGE.findall(text)))
        if status == 200 and badge and booking_id and "error" not in said:
            results.count(f"booked: {badge.group(1)}")
            results.bookings.append(
                {
                    "id": int(booking_id.group(1)),
                    "status": badge.group(1),
                    "session": code,
                }
            )
        else:
            results.count(f"not booked, the answer said {said or 'nothing'}")
            results.errors.append(f"booking {code} through the pages: {said}")


async def run_pages(args: argparse.Namespace) -> Results:
    return await _each_delegate(args, pages_journey)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["crowd", "floor", "mixed", "repeats", "pages"])
    parser.add_argument("--target", action="append", required=True, help="host:port")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rate", type=float, help="offered requests per second")
    parser.add_argument("--plan", help="the crowd's plan (JSON)")
    parser.add_argument("--delegates", type=int, help="only the first N delegates")
    parser.add_argument(
        "--no-reads", action="store_true", help="the crowd books without reading"
    )
    parser.add_argument(
        "--again", action="store_true", help="repeats: send the bookings again"
    )
    parser.add_argument(
        "--sign-ins", type=int, default=0, help="sign-in links asked for meanwhile"
    )
    parser.add_argument(
        "--sign-ins-from",
        type=int,
        default=0,
        help="the first of the plan's sign-in delegates to ask",
    )
    parser.add_argument("--sign-in-every", type=float, default=1.0)
    parser.add_argument("--path", default="/api/v1/health/live")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    runner = {
        "crowd": run_crowd,
        "floor": run_floor,
        "mixed": run_mixed,
        "repeats": run_repeats,
        "pages": run_pages,
    }[args.mode]
    cpu_before = time.process_time()
    results = asyncio.run(runner(args))
    summary = results.summary()
    summary["loadgen_cpu_seconds"] = time.process_time() - cpu_before
    Path(args.out).write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
