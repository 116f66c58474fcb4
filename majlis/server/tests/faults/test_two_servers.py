"""Two `majlis serve` behind deploy/nginx.conf, as the deploy README runs
them: both serve bookings, and every booking is made once."""

import http.client
import json
import os
import secrets
import uuid
from contextlib import ExitStack

import redis

from majlis.testing.demo_server import free_port
from majlis.testing.factories import EventFactory
from majlis.testing.nginx import nginx_serving
from majlis.testing.servers import serving

from .load import Load, assert_every_booking_once, crowd

DELEGATES = 20
SESSIONS = 3
BOOKING_PATH = "/bookings "
REDIS_URL = os.environ.get("MAJLIS_REDIS_URL") or "redis://127.0.0.1:6379/0"


def test_two_servers_behind_nginx_both_serve_bookings(tmp_path):
    people = crowd(DELEGATES, SESSIONS)
    upstreams = [free_port(), free_port()]
    logs = [tmp_path / f"server-{port}.log" for port in upstreams]
    port = free_port()
    with ExitStack() as stack:
        for upstream, log in zip(upstreams, logs, strict=True):
            stack.enter_context(
                serving(
                    upstream,
                    *("--workers", "1", "--no-outbox"),
                    environment={"MAJLIS_ACCESS_LOG": "1"},
                    output=stack.enter_context(log.open("wb")),
                )
            )
        stack.enter_context(
            nginx_serving(
                port=port,
                upstreams=[f"127.0.0.1:{upstream}" for upstream in upstreams],
                static_root=tmp_path / "static",
                prefix=tmp_path / "nginx",
            )
        )
        load = Load(port, people, clients=6).start()
        load.join()
        assert_every_booking_once(port, people)
    served = [
        sum(BOOKING_PATH in line for line in log.read_text().splitlines())
        for log in logs
    ]
    print({"booking requests by server": served})
    assert all(served), served


def ask_for_a_link(port: int, event: str, email: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(
            "POST",
            "/api/v1/auth/magic-link",
            body=json.dumps({"event": event, "email": email}),
            headers={"Content-Type": "application/json"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_two_servers_sharing_redis_share_the_rate_limits():
    """As the deploy README runs them: the same secret key and Redis. A link
    asked for at one server counts at the other (one a minute per address)."""
    event = EventFactory()
    prefix = f"majlis-test-limits-{uuid.uuid4().hex}:"
    shared = {
        "MAJLIS_SECRET_KEY": secrets.token_urlsafe(40),
        "MAJLIS_REDIS_URL": REDIS_URL,
        "MAJLIS_REDIS_KEY_PREFIX": prefix,
    }
    upstreams = [free_port(), free_port()]
    try:
        with ExitStack() as stack:
            for upstream in upstreams:
                stack.enter_context(
                    serving(
                        upstream,
                        *("--workers", "1", "--no-outbox"),
                        environment=shared,
                    )
                )
            answers = [
                ask_for_a_link(upstream, event.slug, "amina@example.org")
                for upstream in upstreams
            ]
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)

    assert answers == [202, 429]
