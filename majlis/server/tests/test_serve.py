"""`majlis serve` as in production: Granian in front of Django, started and
stopped as an operator would."""

import gzip
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

import majlis.server.wsgi
from majlis.testing.demo_server import embedded_environment, free_port, wait_for


@pytest.mark.serves_its_own_database
def test_serve_answers_pages_and_the_api_on_kept_alive_connections_and_stops():
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [majlis, "serve", "--port", str(port), "--workers", "2", "--no-outbox"],
            env=embedded_environment(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            answers = []
            for path in ("/api/v1/health/live", "/en/", "/api/v1/health/ready"):
                connection.request("GET", path)
                answer = connection.getresponse()
                answers.append((path, answer.status, answer.read()))
            # Alone, without nginx in front, the app compresses its pages.
            connection.request("GET", "/en/", headers={"Accept-Encoding": "gzip"})
            compressed = connection.getresponse()
            compressed_body = compressed.read()
            connection.close()
        finally:
            server.send_signal(signal.SIGTERM)
            _out, errors = server.communicate(timeout=30)
    assert [status for _path, status, _body in answers] == [200, 200, 200]
    assert answers[0][2] == b'{"status": "ok"}'
    assert b"<html" in answers[1][2]
    assert compressed.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(compressed_body).startswith(b"<!DOCTYPE html>")
    assert b"Traceback" not in errors, errors.decode()
    # Stopped with its workers: the port is free again.
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                break
        assert time.monotonic() < deadline, "the server still answers after SIGTERM"
        time.sleep(0.2)


def test_the_process_environment_does_not_reach_the_request(monkeypatch):
    seen: dict[str, object] = {}

    def django_application(environ, start_response):
        seen.update(environ)
        return []

    monkeypatch.setattr(majlis.server.wsgi, "django_application", django_application)
    monkeypatch.setattr(
        majlis.server.wsgi,
        "_PROCESS_ENVIRONMENT",
        {"DATABASE_URL": "postgres://majlis:secret@db/majlis", "SERVER_NAME": "x"},
    )
    # As Granian builds it: the process environment, then the request's own.
    environ = {
        "DATABASE_URL": "postgres://majlis:secret@db/majlis",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "majlis.example.org",
        "HTTP_HOST": "majlis.example.org",
    }

    majlis.server.wsgi.application(environ, lambda *args: None)

    assert "DATABASE_URL" not in seen
    assert seen["SERVER_NAME"] == "majlis.example.org"
    assert seen["HTTP_HOST"] == "majlis.example.org"


@pytest.mark.parametrize("name", ["PATH_INFO", "HTTP_PROXY"])
def test_request_variables_are_never_taken_for_the_process_environment(
    monkeypatch, name
):
    monkeypatch.setenv(name, "/")
    assert name not in majlis.server.wsgi._process_environment()


def test_one_email_sender_per_core_on_postgresql_and_one_on_sqlite():
    from django.db import connection

    from majlis.server.management.commands.serve import default_outbox_workers

    expected = (os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
    assert default_outbox_workers() == expected


@pytest.mark.serves_its_own_database
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
def test_stopping_serve_stops_its_email_workers_at_the_lowest_priority(how):
    """The workers run in sessions of their own (for their scheduling group), so
    they no longer hear a closed terminal: `majlis serve` stops them."""
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [majlis, "serve", "--port", str(port), "--workers", "1"],
            env=embedded_environment(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready")
            workers = [
                child
                for child in psutil.Process(server.pid).children()
                if child.cmdline()[-2:] == ["majlis.cli", "outbox"]
            ]
            assert len(workers) == 1  # one on SQLite
            assert workers[0].nice() == 19
            assert os.getsid(workers[0].pid) != os.getsid(server.pid)
            # Granian and its workers, and the email workers, serve until
            # stopped: they freeze what they loaded to start.
            started = psutil.Process(server.pid).children(recursive=True)
            assert {p.environ().get("MAJLIS_LONG_LIVED_PROCESS") for p in started} == {
                "1"
            }
            _wait_until_serving_the_queue(workers[0])  # not still importing
        finally:
            server.send_signal(how)
            _out, errors = server.communicate(timeout=60)
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == [], "an email worker outlived `majlis serve`"
    assert b"Traceback" not in errors, errors.decode()


def _wait_until_serving_the_queue(process, timeout: float = 120.0) -> None:
    """Until the worker rests between two looks at the queue (``time.sleep``:
    the kernel shows it waiting in a nanosleep), which it reaches only after
    its imports, its warm-up and a first look. Neither idle CPU (a worker
    starved of the CPU on a busy machine looked idle while importing) nor an
    open database file (it closes its connection before resting) told it."""
    deadline = time.monotonic() + timeout
    wchan = Path(f"/proc/{process.pid}/wchan")
    while time.monotonic() < deadline:
        if "nanosleep" in wchan.read_text():
            return
        time.sleep(0.1)
    raise AssertionError("the email worker never came to rest in its loop")


def _hold_kept_alive(port: int, count: int) -> list[http.client.HTTPConnection]:
    """``count`` connections that each had one answer and now sit idle, as the
    phones of a crowd do between two taps."""
    held = []
    for _number in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/health/live")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        held.append(connection)
    return held


def _answered_within(port: int, seconds: float) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
    try:
        connection.request("GET", "/api/v1/health/live")
        return connection.getresponse().status == 200
    except TimeoutError:
        return False
    finally:
        connection.close()


@contextmanager
def _serving(*options: str) -> Iterator[int]:
    """One worker of `majlis serve` started as a service would start it; its
    port, then stopped."""

    def start_like_a_service() -> None:
        # Many service managers start processes with 1,024 open files at most
        # (Granian raises its own limit to the hard one: checked here too).
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "majlis"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-outbox",
                *options,
            ],
            env=embedded_environment(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=start_like_a_service,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready")
            yield port
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


@pytest.mark.serves_its_own_database
def test_a_crowd_of_idle_connections_does_not_lock_the_next_delegate_out():
    """Granian counts connections against its limit, idle kept-alive ones
    included, and its own limit is its listen backlog shared by the workers
    (256 a worker with four, 1,024 with this one). With 1,300 phones idle
    on one worker, started with 1,024 open files at most, the next is
    still answered."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 2048:  # the test's own sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(2048, hard), hard))
    with _serving() as port:
        held = _hold_kept_alive(port, 1300)
        answered = _answered_within(port, 5)
        for connection in held:
            connection.close()
    assert answered


@pytest.mark.serves_its_own_database
def test_connections_sets_how_many_a_server_holds():
    with _serving("--connections", "8") as port:
        held = _hold_kept_alive(port, 8)
        ninth = _answered_within(port, 1)
        held.pop().close()
        ninth_after_one_left = _answered_within(port, 5)
        for connection in held:
            connection.close()
    assert (ninth, ninth_after_one_left) == (False, True)


def test_fewer_connections_than_workers_is_refused():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="at least the number of workers"):
        call_command("serve", "--workers", "4", "--connections", "3")


@pytest.mark.parametrize("option", ["--threads", "--workers"])
def test_fewer_than_one_thread_or_worker_is_refused(option):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=f"{option} must be at least 1"):
        call_command("serve", option, "0")


@pytest.mark.parametrize(
    ("vendor", "host", "here"),
    [
        ("sqlite", "", True),
        ("postgresql", "", True),  # libpq's default: the local Unix socket
        ("postgresql", "/var/run/postgresql", True),
        ("postgresql", "localhost", True),
        ("postgresql", "127.0.0.1", True),
        ("postgresql", "127.0.1.1", True),
        ("postgresql", "::1", True),
        ("postgresql", "10.0.0.5", False),
        ("postgresql", "db.example.org", False),
    ],
)
def test_where_the_database_is(vendor, host, here):
    from majlis.server.management.commands.serve import database_on_this_machine

    assert database_on_this_machine(vendor, host) is here


@pytest.mark.parametrize(
    ("vendor", "host", "cores", "workers"),
    [
        # PostgreSQL here: one per core.
        ("postgresql", "127.0.0.1", 1, 1),
        ("postgresql", "127.0.0.1", 2, 2),
        ("postgresql", "/var/run/postgresql", 3, 3),
        ("postgresql", "", 4, 4),
        ("postgresql", "localhost", 8, 8),
        # PostgreSQL elsewhere: two per core.
        ("postgresql", "10.0.0.5", 1, 2),
        ("postgresql", "db.example.org", 2, 4),
        ("postgresql", "10.0.0.5", 8, 16),
        # SQLite works inside the workers: one per core, at least 2.
        ("sqlite", "", 1, 2),
        ("sqlite", "", 2, 2),
        ("sqlite", "", 8, 8),
    ],
)
def test_default_workers_by_where_the_database_is_and_the_cores(
    monkeypatch, vendor, host, cores, workers
):
    from majlis.server.management.commands import serve

    monkeypatch.setattr(
        serve,
        "connection",
        types.SimpleNamespace(vendor=vendor, settings_dict={"HOST": host}),
    )
    monkeypatch.setattr(serve.os, "cpu_count", lambda: cores)
    assert serve.default_workers() == workers


@pytest.mark.serves_its_own_database
def test_serve_starts_granian_with_the_default_workers_and_threads():
    # The embedded demo runs on SQLite: one worker per core, at least 2.
    workers = max(2, os.cpu_count() or 1)
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [majlis, "serve", "--port", str(port), "--no-outbox"],
            env=embedded_environment(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/live")
            granian = next(
                child
                for child in psutil.Process(server.pid).children()
                if "--blocking-threads" in child.cmdline()
            )
            command = granian.cmdline()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert command[command.index("--workers") + 1] == str(workers)
    assert command[command.index("--blocking-threads") + 1] == "4"


@pytest.mark.parametrize(
    ("host", "behind_proxy", "base_url_set", "told"),
    [
        ("127.0.0.1", False, False, []),
        ("::1", False, False, []),
        ("localhost", False, False, []),
        ("0.0.0.0", False, True, []),  # noqa: S104 (what is tested)
        ("192.0.2.7", False, False, ["links"]),
        ("majlis.example.org", False, True, []),
        ("0.0.0.0", True, True, ["proxy"]),  # noqa: S104
        ("0.0.0.0", True, False, ["proxy", "links"]),  # noqa: S104
    ],
)
def test_serving_other_machines_is_told_what_defends_it(
    host, behind_proxy, base_url_set, told
):
    from majlis.server.management.commands.serve import exposure_warnings

    warnings = exposure_warnings(
        host, 8000, behind_proxy=behind_proxy, base_url_set=base_url_set
    )

    recognised = {
        "proxy": "only the reverse proxy can reach this port",
        "links": f"links in email will point at http://{host}:8000/",
    }
    assert [
        next(name for name, words in recognised.items() if words in warning)
        for warning in warnings
    ] == told


@pytest.mark.serves_its_own_database
def test_serve_on_every_address_puts_nginx_in_front_of_granian():
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [majlis, "serve", "--host", "0.0.0.0", "--port", str(port), "--no-outbox"],  # noqa: S104
            env={**embedded_environment(data), "LC_ALL": "fr_FR.UTF-8"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready")
            granian = next(
                child
                for child in psutil.Process(server.pid).children()
                if "--blocking-threads" in child.cmdline()
            )
            command, environment = granian.cmdline(), granian.environ()
            socket_mode = os.stat(command[command.index("--uds") + 1]).st_mode
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/fr/")
            page = connection.getresponse()
            body = page.read().decode()
            stylesheet = body.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
            connection.request("GET", stylesheet)
            static = connection.getresponse()
            static.read()
            connection.close()
        finally:
            server.send_signal(signal.SIGTERM)
            out, errors = server.communicate(timeout=60)
    assert (page.status, page.getheader("Server")) == (200, "nginx")
    # The static files come from nginx, cached for good under hashed names.
    assert static.status == 200
    assert "immutable" in static.getheader("Cache-Control", "")
    # Granian on a socket only this user opens, told a proxy names the client.
    assert "--host" not in command
    assert oct(socket_mode & 0o777) == "0o600"
    assert environment.get("MAJLIS_BEHIND_PROXY") == "1"
    with translation.override("fr"):
        told = [
            gettext(
                "nginx answers there and reads each request whole before Majlis sees it."
            ),
            gettext("MAJLIS_BASE_URL is not set: links in email will point at %(url)s.")
            % {"url": f"http://0.0.0.0:{port}/"},
        ]
    assert told[0] in out.splitlines()
    # Nothing but where email links point: no error of nginx, nor a warning
    # that Granian alone could be held by slow clients.
    assert errors.splitlines() == [told[1]]


def test_serving_other_machines_without_nginx_is_refused(monkeypatch):
    from majlis.server.management.commands import serve

    monkeypatch.setattr(serve, "nginx_binary", lambda: None)

    with pytest.raises(CommandError, match="needs nginx in front"):
        serve.front_proxy("0.0.0.0", 8000)  # noqa: S104 (what is tested)
    assert serve.front_proxy("127.0.0.1", 8000) is None


def test_serving_behind_a_proxy_of_ones_own_starts_no_nginx(settings):
    from majlis.server.management.commands import serve

    settings.MAJLIS_BEHIND_PROXY = True

    assert serve.front_proxy("0.0.0.0", 8000) is None  # noqa: S104


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/"),
        ("::", "http://[::]:8000/"),
        ("::1", "http://[::1]:8000/"),
        ("majlis.example.org", "http://majlis.example.org:8000/"),
    ],
)
def test_the_served_address_is_a_url_for_ipv6_too(host, url):
    from majlis.server.management.commands.serve import served_url

    assert served_url(host, 8000) == url
