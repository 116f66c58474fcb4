"""A Granian worker, and the whole `majlis serve`, killed with SIGKILL while
delegates book: every booking acknowledged is in the database, and each
client's retries with its Idempotency-Key make one booking. (That nothing of
a killed serve goes on running: ../test_killed_serve.py.)"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import psycopg
from django.db import connection

from majlis.testing.demo_server import free_port
from majlis.testing.servers import database_url, serving, start_serve, stop

from .load import Load, assert_every_booking_once, crowd

DELEGATES = 40
SESSIONS = 5
KILLED_AFTER = 10  # bookings acknowledged


def _granian_workers(server: psutil.Process) -> list[psutil.Process]:
    (granian,) = [
        child for child in server.children() if "--blocking-threads" in child.cmdline()
    ]
    return granian.children()


@contextmanager
def _sessions_locked(crowd) -> Iterator[None]:
    """The crowd's session rows locked by another connection, as a long
    booking would hold them: every booking that reaches its seat waits."""
    with psycopg.connect(database_url()) as locker:
        locker.execute(
            "SELECT 1 FROM events_session WHERE id = ANY(%s) FOR UPDATE",
            [[session.pk for session in crowd.sessions]],
        )
        yield
        locker.rollback()


def _worker_waiting_on_the_lock(workers: list[psutil.Process]) -> psutil.Process:
    """The worker whose database connection waits on the held lock: a
    booking is in flight in it, its client waiting for the answer."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            )
            waiting = {port for (port,) in cursor.fetchall()}
        for worker in workers:
            for held in worker.net_connections("tcp"):
                if held.laddr.port in waiting and held.raddr.port == 5432:
                    return worker
        time.sleep(0.01)
    raise AssertionError("no booking waited on the locked sessions")


def _two_workers_again(server) -> list[psutil.Process]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = _granian_workers(psutil.Process(server.pid))
        if len(workers) == 2:
            return workers
        time.sleep(0.1)
    raise AssertionError("Granian did not replace its killed worker")


def test_a_worker_killed_mid_load_loses_no_acknowledged_booking():
    people = crowd(DELEGATES, SESSIONS)
    port = free_port()
    with serving(port, "--workers", "2", "--no-outbox") as server:
        workers = _granian_workers(psutil.Process(server.pid))
        assert len(workers) == 2
        load = Load(port, people).start()
        load.wait_for_acknowledged(KILLED_AFTER)
        # Held, so that the kill lands on a booking in flight, not between two.
        with _sessions_locked(people):
            killed = _worker_waiting_on_the_lock(workers)
            killed.kill()
            killed.wait(timeout=10)
        load.join()
        _two_workers_again(server)  # Granian replaced the worker it lost
        assert_every_booking_once(port, people)
    print({"tries": sum(job.tries for job in people.jobs), "jobs": len(people.jobs)})
    assert any(job.tries > 1 for job in people.jobs), "the kill cut no request"


def test_serve_killed_mid_load_loses_no_acknowledged_booking(tmp_path):
    people = crowd(DELEGATES, SESSIONS)
    port = free_port()
    first = start_serve(port, str(tmp_path), "--workers", "1", "--no-outbox")
    started = psutil.Process(first.pid).children(recursive=True)
    try:
        load = Load(port, people).start()
        load.wait_for_acknowledged(KILLED_AFTER)
        assert load.acknowledged() < len(people.jobs), "killed after the load"
        first.kill()
        first.wait(timeout=10)
        # Its Granian stops with it; the port is free once it has gone.
        _gone, alive = psutil.wait_procs(started, timeout=30)
        assert alive == []
        answered_before_restart = load.acknowledged()
        with serving(port, "--workers", "1", "--no-outbox"):
            load.join()
            assert_every_booking_once(port, people)
    finally:
        stop(first)
    assert answered_before_restart < len(people.jobs)
    print({"tries": sum(job.tries for job in people.jobs), "jobs": len(people.jobs)})
