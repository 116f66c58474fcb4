"""Two `majlis serve` behind deploy/nginx.conf, as the deploy README runs
them: both serve bookings, and every booking is made once."""

from contextlib import ExitStack

from majlis.testing.demo_server import free_port
from majlis.testing.nginx import nginx_serving
from majlis.testing.servers import serving

from .load import Load, assert_every_booking_once, crowd

DELEGATES = 20
SESSIONS = 3
BOOKING_PATH = "/bookings "


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
