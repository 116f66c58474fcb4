"""Clients trickling a request body at `majlis serve`.

Granian hands a request to a worker thread as soon as its head has arrived,
and the thread then waits for the body as the application reads it; Granian
has no timeout on reading a body (only on the head,
--http1-header-read-timeout), and none of its settings reads the body before
a thread takes the request. So as many slow clients as a server has threads
hold all of them: no setting of Granian is a defence, only more threads,
which an attacker matches with more connections. On an address other
machines reach, `majlis serve` therefore puts nginx in front, which reads
every body in full first; on the loopback address it serves this machine
alone (or a proxy of the operator's, deploy/README.md), with Granian alone.
"""

from collections.abc import Iterator

import pytest

from majlis.demo.loader import DEMO_SLUG
from majlis.testing.demo_server import demo_server
from majlis.testing.slow_clients import seconds_to_answer, trickling_bodies

pytestmark = pytest.mark.serves_its_own_database

# A body the sign-in view reads (its JSON), unlike a page's form that Django
# refuses for its missing CSRF cookie before reading anything.
READ_BODY_PATH = "/api/v1/auth/magic-link"
IN_TIME_SECONDS = 2.0
PATHS = ["/api/v1/health/live", f"/en/e/{DEMO_SLUG}/"]


THREADS = 4


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """One worker of 4 threads (`majlis serve`'s default with PostgreSQL on
    this machine's 2 cores), on the loopback address: Granian alone."""
    with demo_server(workers=1, serve_args=("--threads", str(THREADS))) as base:
        yield int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def public_port() -> Iterator[int]:
    """The same server on every address: nginx in front of it."""
    serving = ("--threads", str(THREADS), "--host", "0.0.0.0")  # noqa: S104
    with demo_server(workers=1, serve_args=serving) as base:
        yield int(base.rsplit(":", 1)[1])


def test_serve_on_a_public_address_answers_while_clients_trickle_bodies(
    public_port,
):
    took = _answer_times(public_port, 4 * THREADS)
    assert all(seconds < IN_TIME_SECONDS for seconds in took.values()), took


def _answer_times(port: int, clients: int) -> dict[str, float]:
    with trickling_bodies(port, clients, READ_BODY_PATH):
        took = {
            path: round(seconds_to_answer(port, path, give_up_after=10), 3)
            for path in PATHS
        }
    print({"clients": clients, "seconds to answer": took})  # with -s
    return took


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="Granian reads a body in the worker thread, with no timeout: 4 "
    "trickling clients hold the 4 threads of one worker and nothing answers "
    "within 10 s (measured: health and programme both timed out at 10 s); "
    "on the loopback address, nothing is in front of it",
)
def test_serve_alone_answers_while_four_clients_trickle_a_body(port):
    took = _answer_times(port, 4)
    assert all(seconds < IN_TIME_SECONDS for seconds in took.values()), took


def test_the_attack_holds_only_as_many_threads_as_it_has_clients(port):
    """The control: with a thread to spare, the same server answers in time,
    so the test above fails for the held threads, not for a slow machine."""
    took = _answer_times(port, 3)
    assert all(seconds < IN_TIME_SECONDS for seconds in took.values()), took
