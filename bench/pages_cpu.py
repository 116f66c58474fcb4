"""Booking through the pages, in one process: CPU and queries of a journey.

    .venv/bin/python bench/pages_cpu.py [--journeys 200] [--runs 3] [--without-htmx]

Makes its own PostgreSQL database (`majlis_pages_cpu`) with the demo
conference and 400 delegates, then walks the bench's pages journey (a
signed-in delegate opens a session page and posts its booking form as the
browser does, through htmx, answered with the booking area; with
`--without-htmx`, as a browser without JavaScript, redirected to the page it
then opens) through Django's WSGI handler with the production settings.
Reports the median, over the runs, of the Python process's CPU per journey
(`time.process_time`: another process's load barely counts; the database's
own CPU is not counted) and the queries of each request. The forms are read
with the load generator's own patterns (bench/loadgen.py), so this walks what
the bench walks. Not the flash-crowd bench: no concurrency, no network.
"""

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from loadgen import BOOK_FORM, FIELD, htmx_form_headers  # noqa: E402 (the bench's folder first)
from one_process import served_on_new_database  # noqa: E402

DELEGATES = 400


def empty_bookings(url: str) -> None:
    """As the flash-crowd bench resets them (its reset_bookings), with room
    for every journey."""
    with psycopg.connect(url) as connection:
        connection.execute(
            "TRUNCATE bookings_bookingchange, bookings_booking,"
            " bookings_idempotencyrecord, outbox_outboxmessage CASCADE"
        )
        connection.execute(
            "UPDATE events_session SET seats_taken = 0, waitlist_length = 0,"
            " capacity = 1000"
        )


def measure(url: str, journeys: int, runs: int, *, htmx: bool) -> dict[str, Any]:
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from majlis.accounts.models import Participant
    from majlis.demo.loader import demo_load
    from majlis.events.models import Session
    from majlis.site.signin import SESSION_KEY

    demo_load(participants=DELEGATES)
    web_sessions = import_module(settings.SESSION_ENGINE).SessionStore
    wsgi = WSGIHandler()

    def call(
        method: str,
        path: str,
        cookies: dict[str, str],
        body: bytes = b"",
        extra: dict[str, str] | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT_LANGUAGE": "fr",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "https",
            **(extra or {}),
        }
        answer: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(status: str, sent: list[tuple[str, str]], *_: Any) -> Any:
            answer.append(status)
            headers.extend(sent)
            return len

        response = wsgi(environ, start_response)
        content = b"".join(response)
        response.close()
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie: SimpleCookie = SimpleCookie()
                cookie.load(value)
                cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return answer[0], content, {name.lower(): value for name, value in headers}

    people = list(Participant.objects.order_by("pk")[: journeys + 20])
    event = people[0].event
    code = Session.objects.filter(event=event).order_by("starts_at", "code")[0].code
    page = f"/fr/e/{event.slug}/s/{code}/"
    site = "https://127.0.0.1"

    # What following a sign-in link leaves in a browser, made before timing.
    signed_in: dict[int, str] = {}
    for person in people:
        web_session = web_sessions()
        web_session[SESSION_KEY] = person.pk
        web_session.create()
        signed_in[person.pk] = web_session.session_key or ""

    def journey(person: Participant, count: Callable[[int, int], None]) -> None:
        cookies = {settings.SESSION_COOKIE_NAME: signed_in[person.pk]}
        with capture() as opened:
            status, html, _headers = call("GET", page, cookies)
        form = BOOK_FORM.search(html.decode())
        if form is None:
            raise SystemExit(f"no booking form on {page} ({status})")
        body = urlencode(dict(FIELD.findall(form.group(2)))).encode()
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in htmx_form_headers(site, page).items()
            if htmx or not name.startswith("HX-")
        }
        headers["CONTENT_TYPE"] = headers.pop("HTTP_CONTENT_TYPE")
        with capture() as posted:
            status, _content, answered = call(
                "POST", form.group(1), cookies, body, headers
            )
        expected = "200" if htmx else "302"
        if not status.startswith(expected):
            raise SystemExit(f"the booking form answered {status}")
        count(0, len(opened))
        count(1, len(posted))
        if not htmx:
            with capture() as landed:
                call("GET", answered["location"], cookies)
            count(2, len(landed))

    counting = False

    def capture() -> Any:
        # Capturing logs every statement, which costs CPU: only when counting.
        return CaptureQueriesContext(connection) if counting else nullcontext([])

    cpu: list[float] = []
    queries: list[list[int]] = [[], [], []]
    for _run in range(runs):
        empty_bookings(url)
        for person in people[:20]:  # warm-up: imports, templates, plans
            journey(person, lambda *_: None)
        started = time.process_time()
        for person in people[20:]:
            journey(person, lambda *_: None)
        cpu.append((time.process_time() - started) * 1000 / journeys)
    empty_bookings(url)
    counting = True
    for person in people[:20]:
        journey(person, lambda request, count: queries[request].append(count))
    return {
        "cpu_ms_per_journey": round(statistics.median(cpu), 1),
        "cpu_ms_runs": [round(value, 1) for value in cpu],
        "queries": {
            name: statistics.median(counts)
            for name, counts in zip(
                ("session page", "booking form", "page after booking"),
                queries,
                strict=True,
            )
            if counts
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/majlis_pages_cpu",
    )
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--without-htmx",
        action="store_true",
        help="post the form as a browser without JavaScript: redirected to the page",
    )
    args = parser.parse_args()
    served_on_new_database(
        args.database_url,
        # One delegate books once here: the limit would only add noise.
        MAJLIS_LIMIT_BOOKING_CHANGES="1000000/1m",
    )
    results = measure(
        args.database_url, args.journeys, args.runs, htmx=not args.without_htmx
    )
    print(results)


if __name__ == "__main__":
    main()
