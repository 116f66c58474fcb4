"""The server's workers keep an even share of the connections (see
majlis.core.balancing)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from majlis.core import balancing
from majlis.core.balancing import (
    AFTER_A_FAILED_LOOK_SECONDS,
    BALANCE_CONNECTIONS,
    LOOK_CPU_SHARE,
    LOOK_EVERY_SECONDS,
    SLACK_CONNECTIONS,
    STALE_SECONDS,
    ConnectionBalancer,
    connections_to_shed,
    next_look_in,
    siblings_counts,
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
    # 4,000 connections: 15 ms a look.
    assert next_look_in(0.015) == pytest.approx(0.015 / LOOK_CPU_SHARE)


def _plain(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered"]


def _respond(balancer, protocol="HTTP/1.1"):
    sent = {}

    def start_response(status, headers, *exc_info):
        sent["status"], sent["headers"] = status, headers

    body = b"".join(balancer({"SERVER_PROTOCOL": protocol}, start_response))
    return sent["status"], dict(sent["headers"]), body


def test_only_as_many_answers_as_it_should_shed_close_their_connection(tmp_path):
    balancer = ConnectionBalancer(_plain, tmp_path)
    balancer.to_shed = 2
    answers = [_respond(balancer) for _ in range(3)]
    assert [headers.get("Connection") for _s, headers, _b in answers] == [
        "close",
        "close",
        None,
    ]
    # Each answer whole, as it would have been.
    assert {(status, body) for status, _h, body in answers} == {("200 OK", b"answered")}


@pytest.mark.parametrize("protocol", ["HTTP/2", "HTTP/1", "HTTP/1.0"])
def test_no_connection_header_outside_http_1_1(tmp_path, protocol):
    balancer = ConnectionBalancer(_plain, tmp_path)
    balancer.to_shed = 5
    _status, headers, _body = _respond(balancer, protocol)
    assert "Connection" not in headers
    assert balancer.to_shed == 5


def test_an_answer_with_its_own_connection_header_is_left_alone(tmp_path):
    def keeping(environ, start_response):
        start_response("200 OK", [("Connection", "keep-alive")])
        return [b""]

    balancer = ConnectionBalancer(keeping, tmp_path)
    balancer.to_shed = 1
    _status, headers, _body = _respond(balancer)
    assert headers == {"Connection": "keep-alive"}
    assert balancer.to_shed == 1


def test_an_error_page_replacing_the_answer_still_closes(tmp_path):
    def failing_late(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise RuntimeError("while writing")
        except RuntimeError:
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain")],
                sys.exc_info(),
            )
        return [b"error"]

    calls = []
    balancer = ConnectionBalancer(failing_late, tmp_path)
    balancer.to_shed = 1
    b"".join(
        balancer(
            {"SERVER_PROTOCOL": "HTTP/1.1"},
            lambda status, headers, *exc_info: calls.append(dict(headers)),
        )
    )
    assert [headers.get("Connection") for headers in calls] == ["close", "close"]
    assert balancer.to_shed == 0


def _ended_pid() -> int:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def test_a_worker_reads_its_live_siblings_counts_only(tmp_path):
    alive = os.getppid()
    (tmp_path / str(alive)).write_text("10")
    (tmp_path / str(os.getpid())).write_text("99")  # its own
    (tmp_path / f".{alive}").write_text("77")  # a draft being written
    gone = tmp_path / str(_ended_pid())
    gone.write_text("1000")
    stale = tmp_path / "1"  # init: alive, but this count is old
    stale.write_text("500")
    old = time.time() - 2 * STALE_SECONDS
    os.utime(stale, (old, old))

    assert siblings_counts(tmp_path) == [10]
    assert not gone.exists()  # the ended worker's count is cleared away


def test_a_look_publishes_its_count_and_sheds_above_the_average(tmp_path, monkeypatch):
    monkeypatch.setattr(balancing, "open_sockets", lambda: 50)
    (tmp_path / str(os.getppid())).write_text("10")
    balancer = ConnectionBalancer(_plain, tmp_path)
    balancer.look()
    assert (tmp_path / str(os.getpid())).read_text() == "50"
    assert balancer.to_shed == 20
    (tmp_path / str(os.getppid())).write_text("50")
    balancer.look()
    assert balancer.to_shed == 0


def test_a_failed_look_sheds_nothing_and_is_logged(tmp_path, caplog):
    balancer = ConnectionBalancer(_plain, tmp_path / "removed")
    balancer.to_shed = 7
    assert balancer.look_safely() is False
    assert balancer.to_shed == 0
    assert "could not compare" in caplog.text


@pytest.mark.parametrize("directory_there", [True, False])
def test_the_watch_looks_often_and_after_a_failure_waits(
    tmp_path, monkeypatch, directory_there
):
    """Ten times a second; after a failed look (its directory gone, say) a
    minute, not ten log entries a second."""
    slept = []

    class Stopped(Exception):
        pass

    def sleep(seconds):
        slept.append(seconds)
        raise Stopped

    monkeypatch.setattr(balancing.time, "sleep", sleep)
    directory = tmp_path if directory_there else tmp_path / "removed"
    with pytest.raises(Stopped):
        ConnectionBalancer(_plain, directory)._watch()
    assert slept == [
        LOOK_EVERY_SECONDS if directory_there else AFTER_A_FAILED_LOOK_SECONDS
    ]


@contextmanager
def _two_workers(directory: Path) -> Iterator[int]:
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
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            BALANCE_CONNECTIONS: str(directory),
        },
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


def _ask(port: int, path: str, kept: socket.socket | None = None):
    """The pid of the worker that answered, its Connection header, and
    whether it then closed the connection."""
    connection = kept or socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(4096)
        head, _, body = received.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        length = int(fields["content-length"])
        while len(body) < length:
            body += connection.recv(4096)
        header = fields.get("connection")
        closed = None
        if header == "close":
            closed = connection.recv(1) == b""  # the server's end of the stream
        return int(body), header, closed
    finally:
        if kept is None:
            connection.close()


def test_the_worker_holding_more_closes_connections_until_even(tmp_path):
    """Two real Granian workers: the one made to hold 20 more sockets open
    answers with Connection: close and closes, the other never; once even,
    neither."""
    with _two_workers(tmp_path) as port:
        fuller = socket.create_connection(("127.0.0.1", port), timeout=10)
        fuller_pid, _header, _closed = _ask(port, "/hold", fuller)
        time.sleep(5 * LOOK_EVERY_SECONDS)
        uneven = [_ask(port, "/") for _ in range(40)]
        _ask(port, "/release", fuller)
        fuller.close()
        time.sleep(5 * LOOK_EVERY_SECONDS)
        even = [_ask(port, "/") for _ in range(40)]
        published = sorted(int(entry.name) for entry in tmp_path.iterdir())
    answered_by = {pid for pid, _header, _closed in uneven + even}
    assert len(answered_by) == 2, "the kernel gave every connection to one worker"
    assert published == sorted(answered_by)  # each worker wrote its count
    closes = [(pid, closed) for pid, header, closed in uneven if header == "close"]
    assert closes and set(closes) == {(fuller_pid, True)}
    assert [header for _pid, header, _closed in even] == [None] * 40


def test_the_server_s_application_is_balanced_when_serve_asks_for_it(tmp_path):
    command = [
        sys.executable,
        "-c",
        "import config.wsgi; print(type(config.wsgi.application).__name__)",
    ]
    env = {**embedded_environment(str(tmp_path)), "PYTHONPATH": str(ROOT)}
    kinds = {
        directory: subprocess.run(
            command,
            env={**env, BALANCE_CONNECTIONS: directory},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for directory in (str(tmp_path), "")
    }
    assert kinds == {str(tmp_path): "ConnectionBalancer", "": "function"}
