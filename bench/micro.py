"""Two measured choices of the flash-crowd work, in one process, CPU time only.

    .venv/bin/python bench/micro.py

Makes its own PostgreSQL database (`majlis_micro`), one event, one delegate
and a token, then times, each against its reference in the same run (median
of 11 rounds of 1,000 calls, alternating, `time.process_time`, so another
process's load does not count):

1. the API's token look-up: the ORM's `select_related` query, as it was,
   against the one statement of `majlis.accounts.selectors`;
2. a request through Django: the middleware as Django ships it, against
   Majlis's chain, whose web-page middleware passes over the API's paths
   (a constant JSON answer, and a web page, which must not get faster).
"""

import argparse
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

from one_process import served_on_new_database, write_results

ROUNDS, CALLS = 11, 1000

# What majlis.core.middleware's web-page classes stand in for.
AS_DJANGO_SHIPS_IT = {
    "majlis.core.middleware.WebSessionMiddleware": (
        "django.contrib.sessions.middleware.SessionMiddleware"
    ),
    "majlis.core.middleware.WebCsrfViewMiddleware": (
        "django.middleware.csrf.CsrfViewMiddleware"
    ),
    "majlis.core.middleware.WebAuthenticationMiddleware": (
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    ),
    "majlis.core.middleware.WebMessageMiddleware": (
        "django.contrib.messages.middleware.MessageMiddleware"
    ),
}


def microseconds_per_call(
    reference: Callable[[], Any], candidate: Callable[[], Any]
) -> tuple[float, float]:
    """Median CPU microseconds per call of each; their rounds alternate, so a
    drift of the machine's speed weighs on both alike."""
    for function in (reference, candidate):
        for _ in range(CALLS // 10):
            function()
    rounds: dict[Callable[[], Any], list[float]] = {reference: [], candidate: []}
    for round_number in range(ROUNDS):
        # Which goes first alternates too: the second of a pair pays for the
        # first's garbage.
        pair = (reference, candidate) if round_number % 2 else (candidate, reference)
        for function in pair:
            started = time.process_time()
            for _ in range(CALLS):
                function()
            rounds[function].append((time.process_time() - started) / CALLS * 1e6)
    return statistics.median(rounds[reference]), statistics.median(rounds[candidate])


def measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from django.utils import timezone

    from majlis.accounts.models import Participant, ParticipantToken, hash_secret
    from majlis.accounts.selectors import participant_token_valid
    from majlis.accounts.services import participant_token_create
    from majlis.testing.factories import ParticipantFactory

    delegate: Participant = ParticipantFactory.create()
    key_hash = hash_secret(participant_token_create(participant=delegate))

    def token_through_the_orm() -> None:
        ParticipantToken.objects.select_related(
            "participant", "participant__event"
        ).filter(
            key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).first()

    def token_in_one_statement() -> None:
        participant_token_valid(key_hash=key_hash, now=timezone.now())

    def handler(middleware: list[str]) -> WSGIHandler:
        with override_settings(MIDDLEWARE=middleware):
            return WSGIHandler()

    def ignore_start_response(*args: Any) -> Callable[[bytes], object]:
        return len

    def request(wsgi: WSGIHandler, path: str) -> Callable[[], None]:
        def call() -> None:
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_ACCEPT_LANGUAGE": "fr",
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.url_scheme": "http",
            }
            response = wsgi(environ, ignore_start_response)
            b"".join(response)
            response.close()

        return call

    majlis_chain = list(settings.MIDDLEWARE)
    django_chain = [AS_DJANGO_SHIPS_IT.get(name, name) for name in majlis_chain]
    as_shipped, ours = handler(django_chain), handler(majlis_chain)
    results: dict[str, Any] = {}
    pairs = {
        "token look-up": (token_through_the_orm, token_in_one_statement),
        "constant JSON (/api/v1/health/live)": (
            request(as_shipped, "/api/v1/health/live"),
            request(ours, "/api/v1/health/live"),
        ),
        "web page (/en/)": (request(as_shipped, "/en/"), request(ours, "/en/")),
    }
    for name, (reference, candidate) in pairs.items():
        before, after = microseconds_per_call(reference, candidate)
        results[name] = {
            "reference_us": round(before, 1),
            "majlis_us": round(after, 1),
            "ratio": round(after / before, 3),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/majlis_micro"
    )
    args = parser.parse_args()
    served_on_new_database(args.database_url)
    results = measure()
    for name, figures in results.items():
        print(
            f"{name}: reference {figures['reference_us']} us, Majlis"
            f" {figures['majlis_us']} us, ratio {figures['ratio']}"
        )
    write_results("micro", results)


if __name__ == "__main__":
    main()
