"""Real `majlis serve` processes on the test's PostgreSQL database, for the
tests that break them (majlis/server/tests/faults/)."""

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connection

from majlis.testing.demo_server import embedded_environment, wait_for


def database_url() -> str:
    """The URL of the database this test process uses (the test database)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_serve(
    port: int,
    data: str,
    *options: str,
    environment: dict[str, str] | None = None,
    output: IO[bytes] | int = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """Start `majlis serve` on ``port`` and the test database (migrated by
    the test run), its static files and secret in the folder ``data``, and
    return once it answers."""
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "majlis"),
            *("serve", "--port", str(port), "--no-migrate", *options),
        ],
        env={
            **embedded_environment(data),
            "DATABASE_URL": database_url(),
            **(environment or {}),
        },
        stdout=output,
        stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else output,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", seconds=120)
    except BaseException:
        server.kill()
        server.wait(timeout=30)
        raise
    return server


def stop(server: subprocess.Popen[bytes], *, seconds: float = 30) -> None:
    """SIGTERM, as an operator stops a server; SIGKILL after ``seconds``."""
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


@contextmanager
def serving(port: int, *options: str, **keywords) -> Iterator[subprocess.Popen[bytes]]:
    with tempfile.TemporaryDirectory(prefix="majlis-serve-") as data:
        server = start_serve(port, data, *options, **keywords)
        try:
            yield server
        finally:
            stop(server)
