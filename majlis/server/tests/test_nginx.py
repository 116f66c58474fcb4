"""deploy/nginx.conf in front of a real `majlis serve`, as the deploy README
and the flash-crowd bench use it (Debian's nginx, scripts/install-system-deps)."""

import gzip
import http.client
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from majlis.core.exceptions import RequestTooLarge
from majlis.server.proxy import (
    DEPLOY_CONFIG,
    nginx_binary,
    nginx_check,
    render_nginx_config,
)
from majlis.testing.demo_server import embedded_environment, free_port, wait_for
from majlis.testing.nginx import nginx_serving
from majlis.testing.slow_clients import seconds_to_answer, trickling_bodies

pytestmark = pytest.mark.serves_its_own_database
TOO_LARGE = str(RequestTooLarge.default_message)


def test_the_deploy_config_passes_nginx_t_once_rendered(tmp_path):
    config = tmp_path / "nginx.conf"
    config.write_text(
        render_nginx_config(
            DEPLOY_CONFIG.read_text(),
            listen=[f"127.0.0.1:{free_port()}"],
            upstreams=["127.0.0.1:8000", "127.0.0.1:8001"],
            static_root=tmp_path / "static",
            prefix=tmp_path,
            error_log=str(tmp_path / "error.log"),
            access_log=tmp_path / "access.log",
        )
    )

    checked = nginx_check(nginx_binary() or "nginx", config, tmp_path)

    assert checked.returncode == 0, checked.stderr
    rendered = config.read_text()
    assert "server 127.0.0.1:8001 max_fails=3 fail_timeout=5s;" in rendered
    assert "/var/" not in rendered.replace("/var/log/nginx/error.log", "")


def _get(
    port: int,
    path: str,
    method: str = "GET",
    body: bytes = b"",
    *,
    source: str | None = None,
    **headers: str,
) -> tuple[http.client.HTTPResponse, bytes]:
    """``source``: the client's own address (another loopback one)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1",
        port,
        timeout=10,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request(
            method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **headers}
        )
        answer = connection.getresponse()
        return answer, answer.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """nginx's port, in front of a `majlis serve`, and the static folder."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    data = tmp_path / "data"
    upstream = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    server = subprocess.Popen(
        [majlis, "serve", "--port", str(upstream), "--workers", "1", "--no-outbox"],
        env=embedded_environment(str(data)),
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{upstream}/api/v1/health/ready", seconds=120)
        port = free_port()
        with nginx_serving(
            port=port,
            upstreams=[f"127.0.0.1:{upstream}"],
            static_root=data / "static",
            prefix=tmp_path / "nginx",
        ):
            yield port, data / "static"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_nginx_passes_pages_on_compressed_and_names_no_version(served):
    port, _static = served

    page, body = _get(port, "/en/", **{"Accept-Encoding": "gzip"})
    health, health_body = _get(port, "/api/v1/health/live")

    assert page.status == 200
    assert page.getheader("Content-Encoding") == "gzip"
    assert b"<html" in gzip.decompress(body)
    assert page.getheader("Server") == "nginx"
    assert (health.status, health_body) == (200, b'{"status": "ok"}')


def test_nginx_serves_static_files_itself_with_long_cache_for_hashed_names(served):
    port, static = served
    manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
    stylesheet = next(
        hashed for name, hashed in manifest.items() if name.endswith(".css")
    )
    # Unknown to the application server, which indexed the folder as it started.
    (static / "added-later.txt").write_text("from the disk")

    hashed, body = _get(port, f"/static/{stylesheet}", **{"Accept-Encoding": "gzip"})
    added, added_body = _get(port, "/static/added-later.txt")

    assert hashed.status == 200
    assert hashed.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert hashed.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (static / stylesheet).read_bytes()
    assert (added.status, added_body) == (200, b"from the disk")
    assert added.getheader("Cache-Control") == "max-age=3600"


def _refusal_of_a_head_announcing(
    port: int, path: str, length: int, **headers: str
) -> tuple[int, str, str]:
    """The status, type and text nginx answers to a request head announcing a
    body of ``length`` bytes, none of it sent: nginx refuses an oversized
    body from its Content-Length alone, and a client still sending 2 MB when
    it does so may be reset before it reads the answer."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/octet-stream\r\n{lines}"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        answer = http.client.HTTPResponse(client)
        answer.begin()
        return (
            answer.status,
            answer.getheader("Content-Type", ""),
            answer.read().decode(),
        )


def test_only_the_back_office_takes_a_large_upload(served):
    port, _static = served
    upload = b"x" * (2 * 2**20)
    form = {"Content-Type": "application/octet-stream"}

    page_status, _type, _text = _refusal_of_a_head_announcing(port, "/en/", len(upload))
    import_page, _import_body = _get(
        port, "/en/backoffice/some-event/delegates/import/", "POST", upload, **form
    )

    assert page_status == 413
    # Passed on to Django, which refuses a form without its CSRF token.
    assert import_page.status == 403


def test_a_request_over_nginxs_limit_is_refused_in_majliss_words(served):
    """nginx refuses it; Majlis words the refusal: the API's error shape in
    the request's language, a page in the language of its address that leads
    back to the page the form was on."""
    port, _static = served
    over = 2 * 2**20

    api = _refusal_of_a_head_announcing(
        port, "/api/v1/auth/magic-link?lang=fr", over, **{"Accept-Language": "en"}
    )
    page = _refusal_of_a_head_announcing(
        port,
        "/ar/e/some-event/sign-in/",
        over,
        Referer=f"http://127.0.0.1:{port}/ar/e/some-event/",
    )

    status, kind, text = api
    with translation.override("fr"):
        assert (status, kind, json.loads(text)) == (
            413,
            "application/json; charset=utf-8",
            {"error": {"code": "too_large", "message": gettext(TOO_LARGE)}},
        )
    status, kind, text = page
    assert (status, kind) == (413, "text/html; charset=utf-8")
    assert '<html lang="ar" dir="rtl">' in text
    with translation.override("ar"):
        assert gettext("What you sent is too large.") in text
    assert f'href="http://127.0.0.1:{port}/ar/e/some-event/"' in text


def test_four_clients_trickling_a_body_hold_no_thread_of_the_server(served):
    """The attack of test_slow_clients.py, which freezes a `majlis serve` of
    one worker alone: nginx reads the bodies itself, the server answers."""
    port, _static = served

    with trickling_bodies(port, 4, "/api/v1/auth/magic-link"):
        took = {
            path: round(seconds_to_answer(port, path, give_up_after=10), 3)
            for path in ("/api/v1/health/live", "/en/")
        }

    print({"clients": 4, "seconds to answer through nginx": took})  # with -s
    assert all(seconds < 2.0 for seconds in took.values()), took


def _access_log_lines(tmp_path, paths, **headers: str) -> list[str]:
    """nginx's access-log lines for ``paths``, each asked once with
    ``headers``; nothing listens upstream, so nginx answers 502 and logs each.
    The log is written once nginx stops (each worker's buffer, so in no set
    order), which the block's end waits for."""
    port = free_port()
    prefix = tmp_path / "nginx"
    with nginx_serving(
        port=port,
        upstreams=[f"127.0.0.1:{free_port()}"],
        static_root=tmp_path / "static",
        prefix=prefix,
    ):
        for path in paths:
            _get(port, path, **headers)
    return (prefix / "access.log").read_text().splitlines()


SECRET = "Zq7secretOfALink"
CLIENT = "127.0.0.2"
# Paths that name a delegate or carry a link's secret, and a search, as the
# site and the API make them; each asked once, with a referrer and a browser.
PERSONAL_REQUESTS = (
    "/api/v1/events/casa/participants/amina.benali%40example.org/token",
    "/api/v1/events/casa/participants/amina.benali@example.org",
    f"/calendar/{SECRET}.ics",
    f"/en/e/casa/sign-in/{SECRET}/?next=/en/e/casa/me/",
    f"/en/backoffice/set-password/MQ/{SECRET}/",
    "/en/backoffice/casa/door/7/?q=amina.benali",
)


def test_the_access_log_keeps_no_address_secret_search_or_client(tmp_path):
    """nginx's line for each request (deploy/nginx.conf) names its route,
    status and times, not who asked: an address or a link's secret in the
    path, the query (searches), the client's address, referrer or browser."""
    lines = _access_log_lines(
        tmp_path,
        PERSONAL_REQUESTS,
        # Not the upstream's 127.0.0.1, which the log names.
        source=CLIENT,
        Referer=f"https://majlis.example.org/en/e/casa/sign-in/{SECRET}/",
        **{"User-Agent": "Amina's phone"},
    )

    assert len(lines) == len(PERSONAL_REQUESTS), lines
    for personal in ("amina", SECRET, "Amina's phone", "next=", "q="):
        assert not any(personal in line for line in lines), (personal, lines)
    assert not any(CLIENT in line for line in lines), lines
    assert sorted(line.split('"')[1] for line in lines) == [
        "GET /api/v1/events/casa/participants/[email]",
        "GET /api/v1/events/casa/participants/[email]/token",
        "GET /calendar/[redacted].ics",
        "GET /en/backoffice/casa/door/7/",
        "GET /en/backoffice/set-password/MQ/[redacted]/",
        "GET /en/e/casa/sign-in/[redacted]/",
    ]
    assert all('" 502 ' in line for line in lines), lines


# The same links written otherwise: without their last slash or their
# language, which Django redirects to the link itself (APPEND_SLASH,
# LocaleMiddleware), and a calendar's address without ".ics".
LINKS_WRITTEN_OTHERWISE = (
    f"/en/e/casa/sign-in/{SECRET}",
    f"/e/casa/sign-in/{SECRET}/",
    f"/en/backoffice/set-password/MQ/{SECRET}",
    f"/calendar/{SECRET}",
)


def test_the_access_log_keeps_no_secret_of_a_link_written_otherwise(tmp_path):
    """A link's secret is redacted wherever the path names one (as Majlis's
    own log does, majlis/core/log_redaction.py), not only in the one
    spelling of its route: nginx logs a request before Django redirects it."""
    lines = _access_log_lines(tmp_path, LINKS_WRITTEN_OTHERWISE)

    assert len(lines) == len(LINKS_WRITTEN_OTHERWISE), lines
    assert not any(SECRET in line for line in lines), lines
    assert sorted(line.split('"')[1] for line in lines) == [
        "GET /calendar/[redacted].ics",
        "GET /e/casa/sign-in/[redacted]/",
        "GET /en/backoffice/set-password/MQ/[redacted]/",
        "GET /en/e/casa/sign-in/[redacted]/",
    ]


# Paths with a newline (%0A, which $uri decodes): a regular expression's "."
# stops at it unless told otherwise.
PATHS_WITH_A_NEWLINE = (
    "/api/v1/events/casa/participants/amina@example.org/token%0Ax",
    "/api/v1/amina@example.org%0A/sara@example.org",
    f"/calendar/%0A{SECRET}.ics",
)


def test_the_access_log_redacts_a_path_with_a_newline_too(tmp_path):
    lines = _access_log_lines(tmp_path, PATHS_WITH_A_NEWLINE)

    assert len(lines) == len(PATHS_WITH_A_NEWLINE), lines
    for personal in ("amina", "sara", SECRET):
        assert not any(personal in line for line in lines), (personal, lines)


def test_the_access_log_redacts_an_address_encoded_twice(tmp_path):
    """An integration that encodes an address twice (%2540) sends %40 in the
    decoded path, which Django's log redacts (log_redaction.EMAIL) and the
    API answers with a 404: nginx's log redacts it too."""
    [line] = _access_log_lines(
        tmp_path, ["/api/v1/events/casa/participants/amina%2540example.org/token"]
    )

    assert "amina" not in line, line
    assert '"GET /api/v1/events/casa/participants/[email]/token"' in line, line
