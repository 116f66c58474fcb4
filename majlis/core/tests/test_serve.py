"""`majlis serve` as in production: Granian in front of Django, started and
stopped as an operator would."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import config.wsgi
from majlis.testing.demo_server import embedded_environment, free_port, wait_for


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
            connection.close()
        finally:
            server.send_signal(signal.SIGTERM)
            _out, errors = server.communicate(timeout=30)
    assert [status for _path, status, _body in answers] == [200, 200, 200]
    assert answers[0][2] == b'{"status": "ok"}'
    assert b"<html" in answers[1][2]
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

    monkeypatch.setattr(config.wsgi, "django_application", django_application)
    monkeypatch.setattr(
        config.wsgi,
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

    config.wsgi.application(environ, lambda *args: None)

    assert "DATABASE_URL" not in seen
    assert seen["SERVER_NAME"] == "majlis.example.org"
    assert seen["HTTP_HOST"] == "majlis.example.org"


@pytest.mark.parametrize("name", ["PATH_INFO", "HTTP_PROXY"])
def test_request_variables_are_never_taken_for_the_process_environment(
    monkeypatch, name
):
    monkeypatch.setenv(name, "/")
    assert name not in config.wsgi._process_environment()


def test_one_email_sender_per_core_on_postgresql_and_one_on_sqlite():
    from django.db import connection

    from majlis.core.management.commands.serve import default_outbox_workers

    expected = (os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
    assert default_outbox_workers() == expected


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
def test_stopping_serve_stops_its_email_workers_at_the_lowest_priority(how):
    """The workers run in sessions of their own (for their scheduling group), so
    they no longer hear a closed terminal: `majlis serve` stops them."""
    import psutil

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
            _wait_until_idle(workers[0])  # started, not still importing
        finally:
            server.send_signal(how)
            _out, errors = server.communicate(timeout=60)
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == [], "an email worker outlived `majlis serve`"
    assert b"Traceback" not in errors, errors.decode()


def _wait_until_idle(process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    used = -1.0
    while time.monotonic() < deadline:
        times = process.cpu_times()
        if times.user + times.system == used:
            return
        used = times.user + times.system
        time.sleep(1.0)
