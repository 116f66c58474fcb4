"""PostgreSQL restarted under load, for real, behind `majlis serve`: every answer
meanwhile is a 200 or a 503 with Retry-After (never a 500), and the server
recovers by itself.

It restarts the machine's PostgreSQL cluster (as root, with pg_ctlcluster), so
every other user of that cluster loses its connections for a second or two:
deselect it with `-m "not restarts_database"` while others use the cluster.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, connections

from majlis.testing.demo_server import embedded_environment, free_port, wait_for
from majlis.testing.factories import EventFactory, SessionFactory
from majlis.testing.servers import database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
    pytest.mark.restarts_database,
]

LOCAL_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
CLIENTS = 4


def restart_command() -> list[str]:
    """pg_ctlcluster's restart of this machine's cluster, or a skip saying why not."""
    clusters = Path("/etc/postgresql")
    if connection.settings_dict["HOST"] not in LOCAL_HOSTS:
        pytest.skip("PostgreSQL is not on this machine")
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not clusters.is_dir():
        pytest.skip("restarting PostgreSQL needs root and pg_ctlcluster")
    (version,) = sorted(path.name for path in clusters.iterdir())[-1:]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]


def started_at() -> str:
    """When the PostgreSQL server started, from a fresh connection."""
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()::text")
        (when,) = cursor.fetchone()
    connections.close_all()
    return str(when)


@dataclass
class Answer:
    at: float
    path: str
    status: int
    retry_after: str | None
    body: bytes


def get(base: str, path: str) -> Answer:
    at = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=15) as reply:  # noqa: S310
            return Answer(at, path, reply.status, reply.headers["Retry-After"], b"")
    except urllib.error.HTTPError as error:
        return Answer(at, path, error.code, error.headers["Retry-After"], error.read())


def test_a_postgresql_restart_under_load_answers_200_or_503_then_recovers():
    command = restart_command()
    event = EventFactory(slug="restart-under-load")
    SessionFactory(event=event, code="lab")
    paths = [
        f"/api/v1/events/{event.slug}/sessions",
        f"/api/v1/events/{event.slug}/sessions/lab",
        f"/en/e/{event.slug}/",
        f"/fr/e/{event.slug}/s/lab/",
    ]
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    answers: list[Answer] = []
    failures: list[str] = []
    stop = threading.Event()

    def client(offset: int) -> None:
        turn = offset
        while not stop.is_set():
            try:
                answers.append(get(base, paths[turn % len(paths)]))
            except OSError as error:  # the server itself must keep answering
                failures.append(f"{paths[turn % len(paths)]}: {error!r}")
            turn += 1

    with tempfile.TemporaryDirectory() as data:
        env = {**embedded_environment(data), "DATABASE_URL": database_url()}
        server = subprocess.Popen(
            [
                *(majlis, "serve", "--port", str(port), "--workers", "1"),
                *("--no-outbox", "--no-migrate"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        try:
            wait_for(base + "/api/v1/health/live", seconds=120)
            before = started_at()
            for thread in clients:
                thread.start()
            time.sleep(1.5)
            restart_began = time.monotonic()
            subprocess.run(command, check=True, capture_output=True)
            restarted = time.monotonic()
            time.sleep(3)
            stop.set()
            for thread in clients:
                thread.join()
            # Recovered: every path answers, without waiting for anything more.
            after = [get(base, path) for path in paths * 5]
        finally:
            stop.set()
            server.terminate()
            server.wait(timeout=30)
    assert started_at() != before, "PostgreSQL was not restarted"

    during = [a for a in answers if a.at >= restart_began]
    statuses = sorted({a.status for a in answers})
    summary = {
        "answers": len(answers),
        "during and after the restart": len(during),
        "503": sum(a.status == 503 for a in answers),
        "other": sum(a.status not in (200, 503) for a in answers),
        "last 503 after the restart, seconds": max(
            (round(a.at - restarted, 2) for a in answers if a.status == 503),
            default=None,
        ),
        "restart seconds": round(restarted - restart_began, 2),
    }
    print(summary)  # the figures of docs/RELIABILITY.md, with -s
    assert not failures, failures[:5]
    assert set(statuses) <= {200, 503}, (statuses, summary)
    for answer in answers:
        if answer.status == 503:
            assert answer.retry_after, answer
            assert b"Traceback" not in answer.body, answer
            if answer.path.startswith("/api/"):
                code = json.loads(answer.body)["error"]["code"]
                assert code in {"unavailable", "try_again"}, answer
    assert during, summary
    assert [a.status for a in after] == [200] * len(after), summary
