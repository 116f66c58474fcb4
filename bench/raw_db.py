"""Reference (b): the booking transaction straight through psycopg.

The same first choices from the same popularity, the same number of
concurrent connections, no HTTP and no Django. What is left is what
PostgreSQL itself costs, the ceiling any web stack on this machine stays under.

Modes:
- ``function`` (the reference): the very statement Majlis issues for a
  booking, ``majlis_book_v3`` with an idempotency key, in autocommit.
- ``statements``: the same work as one statement per step from the client,
  the group's rows locked first (as the Python path does): how much holding
  locks across round trips costs, the reason for ADR 0002.
- ``one-session``: ``function`` with every booking in the same session, the
  single-row hot spot of a very popular session.
"""

import argparse
import asyncio
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from loadgen import pick
from psycopg.types.json import Jsonb


async def book(
    connection: psycopg.AsyncConnection,
    participant: dict[str, Any],
    session: dict[str, Any],
    group: list[int],
    overlapping: list[int],
) -> tuple[int, str]:
    async with connection.transaction(), connection.cursor() as cursor:
        principal = f"participant:{participant['id']}"
        await cursor.execute(
            "INSERT INTO bookings_idempotencyrecord"
            " (principal, key, request_fingerprint, created_at)"
            " VALUES (%s, %s, %s, now()) RETURNING id",
            [principal, uuid.uuid4().hex, "0" * 64],
        )
        record = (await cursor.fetchone())[0]  # type: ignore[index]
        await cursor.execute("SELECT set_config('lock_timeout', '5000ms', true)")
        await cursor.execute(
            "SELECT id, starts_at, ends_at FROM events_session WHERE event_id = %s",
            [session["event_id"]],
        )
        await cursor.execute(
            "SELECT id, capacity, seats_taken, has_waitlist FROM events_session"
            " WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [group],
        )
        locked = {row[0]: row for row in await cursor.fetchall()}
        await cursor.execute(
            "SELECT id FROM bookings_booking WHERE participant_id = %s"
            " AND session_id = %s AND status IN ('confirmed', 'waitlisted') LIMIT 1",
            [participant["id"], session["id"]],
        )
        if await cursor.fetchone():
            raise RuntimeError("already booked")
        await cursor.execute(
            "SELECT id FROM bookings_booking WHERE participant_id = %s"
            " AND status = 'confirmed' AND session_id = ANY(%s)",
            [participant["id"], overlapping],
        )
        await cursor.fetchall()
        _id, capacity, seats_taken, _waitlist = locked[session["id"]]
        status = "confirmed" if seats_taken < capacity else "waitlisted"
        await cursor.execute(
            "INSERT INTO bookings_booking (participant_id, session_id, status,"
            " starts_at, ends_at, created_at, confirmed_at, waitlisted_at,"
            " access_needs, access_needs_note)"
            " VALUES (%s, %s, %s, %s, %s, now(), %s, %s, '[]', '') RETURNING id",
            [
                participant["id"],
                session["id"],
                status,
                session["starts_at"],
                session["ends_at"],
                time_if(status == "confirmed"),
                time_if(status == "waitlisted"),
            ],
        )
        booking_id = (await cursor.fetchone())[0]  # type: ignore[index]
        if status == "confirmed":
            await cursor.execute(
                "UPDATE events_session SET seats_taken = %s WHERE id = %s",
                [seats_taken + 1, session["id"]],
            )
        else:
            await cursor.execute(
                "SELECT count(*) FROM bookings_booking WHERE session_id = %s"
                " AND status = 'waitlisted' AND id < %s",
                [session["id"], booking_id],
            )
        await cursor.execute(
            "INSERT INTO bookings_bookingchange (booking_id, action, from_status,"
            " to_status, actor_kind, at) VALUES (%s, %s, '', %s, 'participant', now())",
            [booking_id, "booked" if status == "confirmed" else "waitlisted", status],
        )
        await cursor.execute(
            "INSERT INTO outbox_outboxmessage (kind, to_email, language, payload,"
            " status, attempts, next_attempt_at, last_error, created_at)"
            " VALUES (%s, %s, %s, %s, 'pending', 0, now(), '', now())",
            [
                f"booking_{status}",
                participant["email"],
                participant["language"],
                Jsonb({"booking": booking_id}),
            ],
        )
        await cursor.execute(
            "UPDATE bookings_idempotencyrecord SET response_status = 201,"
            " response_body = %s WHERE id = %s",
            [Jsonb({"id": booking_id, "status": status}), record],
        )
    return booking_id, status


def time_if(condition: bool) -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC) if condition else None


async def book_in_one_statement(
    connection: psycopg.AsyncConnection,
    participant: dict[str, Any],
    session: dict[str, Any],
) -> tuple[int, str]:
    cursor = await connection.execute(
        "SELECT * FROM majlis_book_v3(%s, %s, NULL, NULL, false, false, false,"
        " '[]'::jsonb, NULL, '', true, '5000ms', 'participant', NULL, NULL,"
        " %s, %s, %s)",
        [
            participant["id"],
            session["id"],
            f"participant:{participant['id']}",
            uuid.uuid4().hex,
            "0" * 64,
        ],
    )
    outcome, booking_id, status, *_rest = await cursor.fetchone()  # type: ignore[misc]
    if outcome != "booked":
        raise RuntimeError(f"the function answered {outcome}")
    return booking_id, status


async def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = json.loads(Path(args.plan).read_text())
    async with await psycopg.AsyncConnection.connect(args.database_url) as setup:
        cursor = await setup.execute(
            "SELECT id, email, language FROM accounts_participant WHERE email = ANY(%s)",
            [[d["email"] for d in plan["delegates"]]],
        )
        people = {row[1]: {"id": row[0], "email": row[1], "language": row[2]}
                  for row in await cursor.fetchall()}  # fmt: skip
        cursor = await setup.execute(
            "SELECT id, code, event_id, starts_at, ends_at FROM events_session"
        )
        sessions = {
            row[1]: dict(
                zip(
                    ["id", "code", "event_id", "starts_at", "ends_at"],
                    row,
                    strict=False,
                )
            )
            for row in await cursor.fetchall()
        }

    def overlapping(session: dict[str, Any]) -> list[int]:
        return [
            other["id"]
            for other in sessions.values()
            if other["id"] != session["id"]
            and other["starts_at"] < session["ends_at"]
            and session["starts_at"] < other["ends_at"]
        ]

    latencies: list[float] = []
    bookings: list[dict[str, Any]] = []
    queue = iter(plan["delegates"])

    async def client(number: int) -> None:
        rng = random.Random(number)
        async with await psycopg.AsyncConnection.connect(
            args.database_url, autocommit=args.mode != "statements"
        ) as conn:
            # One session for everyone: one booking each (a second would be
            # "already booked").
            days = plan["days"][-1:] if args.mode == "one-session" else plan["days"]
            for delegate in queue:
                for day in days:
                    session = sessions[pick(rng, day)]
                    if args.mode == "one-session":
                        session = sessions[day[0]["code"]]
                    person = people[delegate["email"]]
                    began = time.perf_counter()
                    if args.mode == "statements":
                        others = overlapping(session)
                        group = sorted([session["id"], *others])
                        booking_id, status = await book(
                            conn, person, session, group, others
                        )
                    else:
                        booking_id, status = await book_in_one_statement(
                            conn, person, session
                        )
                    latencies.append(time.perf_counter() - began)
                    bookings.append({"id": booking_id, "status": status})

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(args.clients)))
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "mode": args.mode,
        "transactions": len(ordered),
        "wall_seconds": wall,
        "transactions_per_second": len(ordered) / wall,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
        "bookings": bookings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--mode", choices=["function", "statements", "one-session"], default="function"
    )
    parser.add_argument("--plan", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    cpu = time.process_time()
    report = asyncio.run(run(args))
    report["client_cpu_seconds"] = time.process_time() - cpu
    Path(args.out).write_text(json.dumps(report))


if __name__ == "__main__":
    main()
