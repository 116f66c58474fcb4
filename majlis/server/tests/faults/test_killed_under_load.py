"""A Granian worker, and the whole `majlis serve`, killed with SIGKILL while
delegates book: every booking acknowledged is in the database, and each
client's retries with its Idempotency-Key make one booking. (That nothing of
a killed serve goes on running: ../test_killed_serve.py.)"""

import os
import signal
import time

import psutil

from majlis.testing.demo_server import free_port
from majlis.testing.servers import serving, start_serve, stop

from .load import Load, assert_every_booking_once, crowd

DELEGATES = 40
SESSIONS = 5
# Killed early, so that the bookings still to come outlast every kill (90 jobs
# killed after 25 once all finished within the second after the first kill).
KILLED_AFTER = 10  # bookings acknowledged
KILLS = 5


def _granian_workers(server: psutil.Process) -> list[psutil.Process]:
    (granian,) = [
        child for child in server.children() if "--blocking-threads" in child.cmdline()
    ]
    return granian.children()


def _busy_worker(workers: list[psutil.Process], port: int) -> psutil.Process:
    """A worker holding a client's connection, so that the kill cuts a
    request (or the first worker, after a few seconds without one)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for worker in workers:
            for held in worker.net_connections("tcp"):
                if held.status == psutil.CONN_ESTABLISHED and held.laddr.port == port:
                    return worker
        time.sleep(0.01)
    return workers[0]


def _cut(people) -> bool:
    return any(job.tries > 1 for job in people.jobs)


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
        assert load.acknowledged() < len(people.jobs), "killed after the load"
        # A kill may land between two requests; kill again (once Granian has
        # replaced the worker) until one cuts a request in flight.
        for _kill in range(KILLS):
            os.kill(_busy_worker(workers, port).pid, signal.SIGKILL)
            time.sleep(1)
            if _cut(people) or load.acknowledged() == len(people.jobs):
                break
            workers = _two_workers_again(server)
        load.join()
        _two_workers_again(server)  # Granian replaced the workers it lost
        assert_every_booking_once(port, people)
    tries = sum(job.tries for job in people.jobs)
    print({"tries": tries, "jobs": len(people.jobs), "kills": _kill + 1})
    assert _cut(people), "no kill cut a request in flight"


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
