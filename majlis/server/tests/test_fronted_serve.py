"""`majlis serve` on an address other machines reach, with nginx in front of
its Granian (majlis/server/proxy.py): stopped, started and reached as an
operator and its clients would."""

import http.client
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
from typing import IO

import psutil
import pytest

from majlis.server.management.commands.serve import WORKERS_KILL_TIMEOUT_SECONDS
from majlis.server.proxy import nginx_binary
from majlis.testing.demo_server import embedded_environment, free_port, wait_for
from majlis.testing.servers import stop

pytestmark = [
    pytest.mark.serves_its_own_database,
    pytest.mark.skipif(nginx_binary() is None, reason="needs nginx"),
]

PUBLIC = "0.0.0.0"  # noqa: S104 (what is tested)


@contextmanager
def _public_serve(
    host: str = PUBLIC,
    *,
    new_session: bool = False,
    errors: IO[bytes] | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        command = [majlis, "serve", "--host", host, "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--workers", "1", "--no-outbox"],
            env={**embedded_environment(data), **(settings or {})},
            stdout=subprocess.DEVNULL,
            stderr=errors or subprocess.DEVNULL,
            # As a terminal runs it: its own process group, which Ctrl-C
            # signals whole.
            start_new_session=new_session,
        )
        try:
            yield server, port
        finally:
            # Stopped as an operator would, so that serve removes its folder.
            stop(server, seconds=60)


def _granian(server: subprocess.Popen) -> psutil.Process:
    return next(
        child
        for child in psutil.Process(server.pid).children()
        if "--blocking-threads" in child.cmdline()
    )


def _ask_with_body(port: int, body: bytes) -> socket.socket:
    """A POST whose head and first bytes are sent, the rest still to come."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(
        b"POST /api/v1/health/live HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
        % (port, len(body), body[:10])
    )
    return client


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_a_request_nginx_is_reading_when_serve_stops_is_answered_by_majlis(how):
    """nginx stops gracefully, finishing the requests it has begun: Granian
    must still be there to answer them, and stop only after nginx."""
    with _public_serve(new_session=how == "Ctrl-C") as (server, port):
        wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", 180)
        granian = _granian(server)
        body = b"x" * 1000
        client = _ask_with_body(port, body)
        time.sleep(0.5)  # nginx has the head
        if how == "Ctrl-C":
            os.killpg(server.pid, signal.SIGINT)
        else:
            server.send_signal(signal.SIGTERM)
        # Time for a Granian told to stop to have gone, even one whose worker
        # missed its signal and is killed.
        psutil.wait_procs([granian], timeout=WORKERS_KILL_TIMEOUT_SECONDS + 2)
        client.sendall(body[10:])
        status_line = client.recv(100).split(b"\r\n", 1)[0]
        client.close()
        server.wait(timeout=60)
    # Majlis's own answer to a POST there (405), not nginx's 502.
    assert b" 502 " not in status_line, status_line
    assert status_line.startswith(b"HTTP/1.1 405"), status_line


def _live(address: str, port: int) -> int:
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.request(
            "GET", "/api/v1/health/live", headers={"Host": f"127.0.0.1:{port}"}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_serve_on_every_ipv6_address_answers_ipv4_clients_too():
    """`--host ::` is every address, IPv4 ones included, as Granian alone
    listens there (and as serve did before nginx was put in front)."""
    with _public_serve("::") as (_server, port):
        deadline = time.monotonic() + 180
        while not _answers("::1", port):
            assert time.monotonic() < deadline, "serve did not answer on ::1"
            time.sleep(0.3)
        assert _live("127.0.0.1", port) == 200


def _answers(address: str, port: int) -> bool:
    try:
        return _live(address, port) == 200
    except OSError:
        return False


def test_nginx_answers_only_once_granian_takes_connections():
    """serve starts nginx once Granian's socket takes connections: none of
    the first clients gets nginx's 502 for a socket not yet listening."""
    with _public_serve() as (_server, port):
        statuses = []
        deadline = time.monotonic() + 180
        while 200 not in statuses:
            assert time.monotonic() < deadline, statuses
            try:
                statuses.append(_live("127.0.0.1", port))
            except OSError:  # nginx not listening yet
                time.sleep(0.02)
    assert set(statuses) == {200}, statuses


def test_nginx_errors_on_serve_s_error_output_name_no_link_secret(tmp_path):
    """nginx's error log (serve's error output) holds the request line of a
    request that failed; its secrets go, as from every log of Majlis's
    (docs/SECURITY.md, "Logs")."""
    secret = "s3cretLinkToken42"
    with (
        open(tmp_path / "errors", "wb") as errors,
        _public_serve(errors=errors) as (server, port),
    ):
        wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", 180)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        # Over nginx's 1 MB: refused, and logged, before any body is read.
        connection.putrequest("POST", f"/en/e/demo/sign-in/{secret}/")
        connection.putheader("Content-Length", str(2 * 1024 * 1024))
        connection.endheaders()
        refused = connection.getresponse().status
        connection.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    logged = (tmp_path / "errors").read_text()
    assert refused == 413
    assert "too large body" in logged  # nginx's line, written
    assert secret not in logged, logged


def test_production_settings_behind_serve_s_nginx_do_not_redirect_to_https():
    """serve's nginx speaks HTTP only and tells Granian so (X-Forwarded-Proto):
    the production settings' HTTPS redirect, which trusts that header once a
    proxy is said to be in front, would send every page to an https:// that
    no request through it can ever reach (a loop behind a TLS front)."""
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "MAJLIS_SECRET_KEY": "k" * 60,
        "MAJLIS_BASE_URL": "https://majlis.example.org",
        "MAJLIS_ALLOWED_HOSTS": "majlis.example.org,127.0.0.1",
    }
    with _public_serve(settings=production) as (_server, port):
        wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", 180)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "GET",
            "/en/",
            headers={"Host": "majlis.example.org", "X-Forwarded-Proto": "https"},
        )
        page = connection.getresponse()
        connection.close()
    assert (page.status, page.getheader("Location")) == (200, None)


@pytest.mark.parametrize("host", [PUBLIC, "127.0.0.1"])
def test_granian_killed_outright_makes_serve_fail(host):
    """As nginx killed does: a service manager restarts a serve that failed
    (deploy/majlis.service, Restart=on-failure), not one that ended well."""
    with _public_serve(host) as (server, port):
        wait_for(f"http://127.0.0.1:{port}/api/v1/health/ready", 180)
        _granian(server).kill()
        assert server.wait(timeout=60) != 0
