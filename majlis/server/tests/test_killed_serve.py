"""`majlis serve`, or its Granian, killed outright (``kill -9``, the kernel's
out-of-memory killer): nothing it started goes on serving or sending."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from majlis.server.lifetime import dying_with_this_process
from majlis.testing.demo_server import embedded_environment, free_port, wait_for

pytestmark = [
    pytest.mark.serves_its_own_database,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="a parent-death signal is Linux's"
    ),
]

# Granian stops its workers gracefully on the SIGTERM it is sent, which can
# take up to serve's WORKERS_KILL_TIMEOUT_SECONDS; the rest is slack for a
# busy machine.
GONE_WITHIN_SECONDS = 20


@contextmanager
def _serve(*options: str) -> Iterator[tuple[subprocess.Popen, int, str]]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "majlis"),
                "serve",
                "--port",
                str(port),
                *options,
            ],
            env=embedded_environment(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Migrating a new database and collecting static files first: slow
            # on a busy machine.
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", 180)
            yield server, port, data
        finally:
            if server.poll() is None:
                server.kill()
            server.wait(timeout=30)


def _started_in(data: str) -> list[psutil.Process]:
    """Every process on the machine running with this test's data folder: all
    that serve started, whoever their parent is now."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("MAJLIS_DATA_DIR") == data:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _wait_gone(
    processes: list[psutil.Process],
) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """Those gone and those alive after the delay; the live ones then killed,
    so that a failure leaves nothing behind either."""
    gone, alive = psutil.wait_procs(processes, timeout=GONE_WITHIN_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    return gone, alive


def _port_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _kill_serve_and_find_nothing_left(
    server: subprocess.Popen, started: list[psutil.Process], port: int, data: str
) -> None:
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    _gone, alive = _wait_gone(started)
    assert alive == [], f"still running after serve was killed: {alive}"
    assert _until(lambda: _port_closed(port), 5), "the port still answers"
    assert _started_in(data) == []


def test_serve_killed_outright_leaves_no_server_and_no_email_worker():
    with _serve("--workers", "2") as (server, port, data):
        started = psutil.Process(server.pid).children(recursive=True)
        commands = [" ".join(process.cmdline()) for process in started]
        # Granian, its two workers, and the email worker (one on SQLite) in a
        # session of its own, out of reach of a kill of serve's group.
        assert sum("granian" in command for command in commands) == 3, commands
        assert sum(command.endswith("majlis.cli outbox") for command in commands) == 1
        _kill_serve_and_find_nothing_left(server, started, port, data)


def test_granian_killed_outright_takes_its_workers_with_it_and_serve_stops():
    with _serve("--workers", "2", "--no-outbox") as (server, port, data):
        granian = next(
            child
            for child in psutil.Process(server.pid).children()
            if "--blocking-threads" in child.cmdline()
        )
        workers = granian.children()
        assert len(workers) == 2
        granian.kill()
        _gone, alive = _wait_gone(workers)
        assert alive == [], "a Granian worker outlived Granian"
        server.wait(timeout=GONE_WITHIN_SECONDS)
        assert _until(lambda: _port_closed(port), 5), "the port still answers"
        assert _started_in(data) == []


PUBLIC = ("--host", "0.0.0.0", "--workers", "1", "--no-outbox")  # noqa: S104


def _nginx(server: subprocess.Popen) -> psutil.Process:
    (nginx,) = [
        child
        for child in psutil.Process(server.pid).children()
        if "nginx" in child.name()
    ]
    return nginx


def test_serve_on_a_public_address_killed_outright_leaves_no_nginx():
    with _serve(*PUBLIC) as (server, port, data):
        started = psutil.Process(server.pid).children(recursive=True)
        names = sorted(process.name() for process in started)
        # Granian and its worker, nginx and its workers (one per core).
        assert names.count("nginx") >= 2 and "granian" in names, names
        _kill_serve_and_find_nothing_left(server, started, port, data)


def test_nginx_killed_outright_takes_its_workers_and_serve_stops():
    """nginx's workers outlive a master killed outright, still holding the
    port; serve, which runs them in a group of their own, stops them."""
    with _serve(*PUBLIC) as (server, port, data):
        nginx = _nginx(server)
        workers = nginx.children()
        assert workers
        nginx.kill()
        _gone, alive = _wait_gone(workers)
        assert alive == [], "an nginx worker outlived nginx"
        assert server.wait(timeout=GONE_WITHIN_SECONDS) != 0
        assert _until(lambda: _port_closed(port), 5), "the port still answers"
        assert _started_in(data) == []


def test_a_child_whose_parent_died_before_it_asked_is_signalled_at_once():
    """The parent's death may come between the fork and the request to the
    kernel, when the child already has another parent: it stops all the same."""
    assert dying_with_this_process(signal.SIGTERM) is not None  # on Linux
    with tempfile.TemporaryDirectory() as folder:
        ready = Path(folder) / "ready"
        # A parent that starts a child, then exits before the child asks.
        script = (
            "import os, sys, time, signal\n"
            "from majlis.server.lifetime import dying_with_this_process\n"
            "ask = dying_with_this_process(signal.SIGTERM)\n"
            "if os.fork() == 0:\n"
            "    time.sleep(1)\n"
            "    ask()\n"
            f"    open({str(ready)!r}, 'w').close()\n"
            "    time.sleep(30)\n"
            "    os._exit(0)\n"
            "print(os.getpid(), flush=True)\n"
        )
        parent = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        parent_pid = int(parent.stdout)
        time.sleep(2)
        orphans = [
            process
            for process in psutil.process_iter(["ppid", "cmdline"])
            if process.info["cmdline"]
            and process.info["cmdline"][-1] == script
            and process.pid != parent_pid
        ]
        assert orphans == []
        assert not ready.exists()
