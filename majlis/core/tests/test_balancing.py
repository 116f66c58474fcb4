"""The server's workers keep an even share of the connections (see
majlis.core.balancing)."""

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from majlis.core.balancing import (
    LOOK_CPU_SHARE,
    LOOK_EVERY_SECONDS,
    SLACK_CONNECTIONS,
    ConnectionBalancer,
    connections_to_shed,
    next_look_in,
)
from majlis.testing.demo_server import embedded_environment, free_port

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("mine", "siblings", "shed"),
    [
        (40, [], 0),  # alone: nowhere to send a connection
        (40, [40], 0),
        (40 + SLACK_CONNECTIONS, [40], 0),  # above the average by half that
        (40 + 2 * SLACK_CONNECTIONS, [40], 0),  # by the slack, not beyond
        (50, [40], 5),
        (90, [30], 30),
        (30, [90], 0),  # below: the other one sheds
        (60, [40, 40, 40], 15),
    ],
)
def test_a_worker_sheds_what_it_holds_above_the_average(mine, siblings, shed):
    assert connections_to_shed(mine, siblings) == shed


def test_looking_costs_at_most_a_small_share_of_a_core():
    assert next_look_in(0.0002) == LOOK_EVERY_SECONDS  # 64 connections
    # 4,000 connections in each of two workers: 30 ms a look.
    assert next_look_in(0.030) == pytest.approx(0.030 / LOOK_CPU_SHARE)


def _respond(balancer, protocol="HTTP/1.1"):
    sent = {}

    def start_response(status, headers, *exc_info):
        sent["status"], sent["headers"] = status, headers

    body = b"".join(balancer({"SERVER_PROTOCOL": protocol}, start_response))
    return sent["status"], dict(sent["headers"]), body


def _plain(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered"]


def test_only_as_many_answers_as_it_should_shed_close_their_connection():
    balancer = ConnectionBalancer(_plain)
    balancer.to_shed = 2
    answers = [_respond(balancer) for _ in range(3)]
    assert [headers.get("Connection") for _s, headers, _b in answers] == [
        "close",
        "close",
        None,
    ]
    # Each answer whole, as it would have been.
    assert {(status, body) for status, _h, body in answers} == {("200 OK", b"answered")}


@pytest.mark.parametrize("protocol", ["HTTP/2", "HTTP/1.0"])
def test_no_connection_header_outside_http_1_1(protocol):
    balancer = ConnectionBalancer(_plain)
    balancer.to_shed = 5
    _status, headers, _body = _respond(balancer, protocol)
    assert "Connection" not in headers
    assert balancer.to_shed == 5


def test_a_worker_alone_never_sheds():
    balancer = ConnectionBalancer(_plain)
    balancer.look()  # the test process's parent's only child is this one
    assert balancer.to_shed == 0


def test_siblings_are_the_parent_s_children_started_alike():
    """Run from a child of this test process: its twin (the same command
    line) is a sibling worker, a child started otherwise is not."""
    probe = (
        "import os, time\n"
        "if os.environ.get('PROBE'):\n"
        "    from majlis.core.balancing import sibling_pids\n"
        "    print(sibling_pids())\n"
        "else:\n"
        "    time.sleep(30)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    twin = subprocess.Popen([sys.executable, "-c", probe], env=environment)
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)"], env=environment
    )
    try:
        found = subprocess.run(
            [sys.executable, "-c", probe],
            env={**environment, "PROBE": "1"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        for child in (twin, other):
            child.kill()
            child.wait()
    assert found.strip() == f"[{twin.pid}]"


def test_a_failed_look_sheds_nothing_and_the_watch_goes_on(monkeypatch, caplog):
    balancer = ConnectionBalancer(_plain)
    balancer.to_shed = 7

    def unreadable():
        raise ValueError("a /proc we cannot read")

    monkeypatch.setattr("majlis.core.balancing.sibling_pids", unreadable)
    assert balancer.look_safely() is False
    assert balancer.to_shed == 0
    assert "could not compare" in caplog.text


@contextmanager
def _two_workers() -> Iterator[int]:
    port = free_port()
    granian = str(Path(sys.executable).parent / "granian")
    server = subprocess.Popen(
        [
            granian,
            "--interface",
            "wsgi",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-ws",
            "--log-level",
            "warning",
            "majlis.core.tests.balancing_app:application",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _ask(port, "/")
                break
            except OSError:
                assert time.monotonic() < deadline, "Granian did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ask(port: int, path: str, connection=None) -> tuple[int, str | None]:
    """The pid of the worker that answered, and its Connection header."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return int(response.read()), response.getheader("Connection")
    finally:
        if own:
            connection.close()


def test_the_worker_holding_more_closes_connections_until_even():
    """Two real Granian workers: the one made to hold 20 more sockets open
    answers with Connection: close, the other never; once even, neither."""
    with _two_workers() as port:
        fuller = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        fuller_pid, _ = _ask(port, "/hold", fuller)
        time.sleep(5 * LOOK_EVERY_SECONDS)
        uneven = [_ask(port, "/") for _ in range(40)]
        _ask(port, "/release", fuller)
        fuller.close()
        time.sleep(5 * LOOK_EVERY_SECONDS)
        even = [_ask(port, "/") for _ in range(40)]
    answered_by = {pid for pid, _header in uneven + even}
    assert len(answered_by) == 2, "the kernel gave every connection to one worker"
    closed_by = [pid for pid, header in uneven if header == "close"]
    assert closed_by and set(closed_by) == {fuller_pid}
    assert [header for _pid, header in even] == [None] * 40


def test_the_server_s_application_is_balanced_when_serve_asks_for_it(tmp_path):
    command = [
        sys.executable,
        "-c",
        "import config.wsgi; print(type(config.wsgi.application).__name__)",
    ]
    env = {**embedded_environment(str(tmp_path)), "PYTHONPATH": str(ROOT)}
    kinds = {
        flag: subprocess.run(
            command,
            env={**env, "MAJLIS_BALANCE_CONNECTIONS": flag},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for flag in ("1", "")
    }
    assert kinds == {"1": "ConnectionBalancer", "": "function"}
