"""Delegates booking through the API with an Idempotency-Key, retrying a
booking whose answer never came (a connection cut, a 5xx) with the same key,
as a client must; and the checks every fault test makes afterwards."""

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from majlis.accounts.services import participant_token_create
from majlis.bookings.models import Booking, BookingStatus
from majlis.events.models import Event, Session
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

GIVE_UP_AFTER_SECONDS = 120


@dataclass
class Job:
    """One delegate booking one session, under one key for all its tries."""

    token: str
    participant_id: int
    session: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    booking_id: int | None = None
    tries: int = 0


@dataclass
class Crowd:
    event: Event
    sessions: list[Session]
    jobs: list[Job]


def crowd(delegates: int, sessions: int) -> Crowd:
    """An event whose delegates each book every one of its sessions, which
    follow each other without overlapping."""
    event = EventFactory()
    made = [
        SessionFactory(
            event=event,
            starts_at=afternoon() + timedelta(hours=2 * number),
            capacity=delegates,
        )
        for number in range(sessions)
    ]
    people = ParticipantFactory.create_batch(delegates, event=event)
    tokens = [participant_token_create(participant=person) for person in people]
    jobs = [
        Job(token, person.pk, session.code)
        for session in made
        for person, token in zip(people, tokens, strict=True)
    ]
    return Crowd(event, made, jobs)


def post_booking(port: int, event: str, job: Job) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(
            "POST",
            f"/api/v1/events/{event}/sessions/{job.session}/bookings",
            body=b"{}",
            headers={
                "Authorization": f"Bearer {job.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": job.key,
            },
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def book_until_answered(port: int, event: str, job: Job) -> None:
    """Until a 201 comes back: any other answer, or none, is tried again."""
    deadline = time.monotonic() + GIVE_UP_AFTER_SECONDS
    while time.monotonic() < deadline:
        job.tries += 1
        try:
            status, body = post_booking(port, event, job)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            status, body = 0, {}
        if status == 201:
            job.booking_id = body["id"]
            return
        time.sleep(0.2)


class Load:
    """``clients`` threads working through the crowd's jobs against ``port``."""

    def __init__(self, port: int, crowd: Crowd, clients: int = 4) -> None:
        self.port = port
        self.crowd = crowd
        self._next = iter(crowd.jobs)
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, daemon=True) for _ in range(clients)
        ]

    def _work(self) -> None:
        while True:
            with self._lock:
                job = next(self._next, None)
            if job is None:
                return
            book_until_answered(self.port, self.crowd.event.slug, job)

    def start(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def acknowledged(self) -> int:
        return sum(job.booking_id is not None for job in self.crowd.jobs)

    def wait_for_acknowledged(self, count: int) -> None:
        deadline = time.monotonic() + GIVE_UP_AFTER_SECONDS
        while self.acknowledged() < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=GIVE_UP_AFTER_SECONDS + 30)


def assert_every_booking_once(port: int, crowd: Crowd) -> None:
    """Every job acknowledged, its booking confirmed in the database, one
    booking per delegate and session; and a retry of every job with its key
    answers the same booking and books nothing more."""
    unanswered = [job for job in crowd.jobs if job.booking_id is None]
    assert unanswered == [], f"{len(unanswered)} bookings never acknowledged"
    rows = list(
        Booking.objects.filter(session__event=crowd.event).values_list(
            "pk", "participant_id", "session__code", "status"
        )
    )
    by_job = {(person, session): (pk, status) for pk, person, session, status in rows}
    assert len(rows) == len(by_job) == len(crowd.jobs), "a booking made twice"
    for job in crowd.jobs:
        assert by_job[(job.participant_id, job.session)] == (
            job.booking_id,
            BookingStatus.CONFIRMED,
        ), job
    for job in crowd.jobs:
        status, body = post_booking(port, crowd.event.slug, job)
        assert (status, body.get("id")) == (201, job.booking_id), (job, body)
    assert Booking.objects.filter(session__event=crowd.event).count() == len(rows)
