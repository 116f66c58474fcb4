"""Does a sign-in request take longer for a registered address than for an
unknown one? Timed in one process, both cases in the same run.

    .venv/bin/python bench/sign_in_timing.py [--pairs 1000]

Makes its own PostgreSQL database (`majlis_sign_in_timing`), one event and as
many delegates as pairs, then sends `POST /api/v1/auth/magic-link` through
Django's WSGI handler (production settings, the whole middleware chain),
alternating: a registered delegate's address (each once, so each gets a real
link), an address nobody registered, and one delegate's address again and
again (refused, 429, within the minute after its link), and an unknown
address again and again (refused the same way). Wall-clock time, which
includes the database's. Reports each case's median and 90th percentile,
and the ratios of the medians, and writes them to
bench/results/sign_in_timing.json (docs/RELIABILITY.md).
"""

import argparse
import io
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from one_process import served_on_new_database, write_results

WARM_UP = 20


def measure(pairs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from majlis.accounts.models import Participant
    from majlis.events.models import Event
    from majlis.testing.factories import EventFactory

    event: Event = EventFactory.create(slug="timing")
    Participant.objects.bulk_create(
        Participant(event=event, email=f"delegate{n}@example.org", name=f"D {n}")
        for n in range(pairs + 1 + WARM_UP)
    )
    handler = WSGIHandler()

    def ask(email: str, expected: str = "202 Accepted") -> float:
        body = json.dumps({"event": "timing", "email": email}).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/auth/magic-link",
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        statuses: list[str] = []

        def start_response(status: str, *rest: Any) -> Callable[[bytes], object]:
            statuses.append(status)
            return len

        started = time.perf_counter()
        response = handler(environ, start_response)
        b"".join(response)
        response.close()
        elapsed = time.perf_counter() - started
        assert statuses == [expected], statuses
        return elapsed * 1000

    cases: dict[str, Callable[[int], str]] = {
        "registered": lambda n: f"delegate{n}@example.org",
        "unknown": lambda n: f"nobody{n}-{secrets.token_hex(4)}@example.org",
        "registered, over its limit": lambda n: f"delegate{pairs}@example.org",
        "unknown, over its limit": lambda n: "nobody@example.org",
    }
    # Asked again within the minute, an address is refused (429) whether or
    # not it is registered; its first request is answered as the others.
    answers = {
        name: "429 Too Many Requests" for name in cases if name.endswith("limit")
    }
    for name in answers:
        ask(cases[name](0))
    warm_up: dict[str, Callable[[int], str]] = {
        **cases,
        "registered": lambda n: f"delegate{pairs + 1 + n}@example.org",
    }
    for n in range(WARM_UP):  # connections, caches, prepared statements
        for name, address in warm_up.items():
            ask(address(n), answers.get(name, "202 Accepted"))
    times: dict[str, list[float]] = {name: [] for name in cases}
    for n in range(pairs):
        for name, address in cases.items():
            times[name].append(ask(address(n), answers.get(name, "202 Accepted")))
    results: dict[str, Any] = {"pairs": pairs, "cases": {}}
    for name, values in times.items():
        results["cases"][name] = {
            "median_ms": round(statistics.median(values), 3),
            "p90_ms": round(statistics.quantiles(values, n=10)[-1], 3),
        }
    registered = results["cases"]["registered"]["median_ms"]
    results["ratio_unknown_to_registered"] = round(
        results["cases"]["unknown"]["median_ms"] / registered, 3
    )
    results["ratio_over_limit_to_registered"] = round(
        results["cases"]["registered, over its limit"]["median_ms"] / registered, 3
    )
    results["ratio_over_limit_unknown_to_registered"] = round(
        results["cases"]["unknown, over its limit"]["median_ms"]
        / results["cases"]["registered, over its limit"]["median_ms"],
        3,
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/majlis_sign_in_timing",
    )
    parser.add_argument("--pairs", type=int, default=1000)
    args = parser.parse_args()
    # One client sends every request here: its own limit would refuse them.
    served_on_new_database(args.database_url, MAJLIS_LIMIT_SIGN_IN_CLIENT="off")
    results = measure(args.pairs)
    for name, figures in results["cases"].items():
        print(f"{name}: median {figures['median_ms']} ms, p90 {figures['p90_ms']} ms")
    print(
        "unknown / registered:",
        results["ratio_unknown_to_registered"],
        "· over its limit / registered:",
        results["ratio_over_limit_to_registered"],
        "· over its limit, unknown / registered:",
        results["ratio_over_limit_unknown_to_registered"],
    )
    write_results("sign_in_timing", results)


if __name__ == "__main__":
    main()
