"""When the database is too busy, the answer is 503 try_again, and a retry with
the same Idempotency-Key is free to succeed (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connections
from django.test import Client

from majlis.accounts.services import participant_token_create, participant_upsert
from majlis.bookings.models import Booking, IdempotencyRecord
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
]


class HeldLock:
    """Hold a row lock from another connection until released."""

    def __init__(self, sql: str, params: list) -> None:
        self.sql, self.params = sql, params
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        conn = connections.create_connection("default")
        try:
            with conn.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(self.sql, self.params)
                self.locked.set()
                self.release.wait(30)
                cursor.execute("ROLLBACK")
        finally:
            conn.close()

    def __enter__(self) -> "HeldLock":
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join()


def post_booking(session, token: str, key: str):
    return Client().post(
        f"/api/v1/events/{session.event.slug}/sessions/{session.code}/bookings",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_a_lock_timeout_answers_503_and_the_retry_with_the_same_key_books(settings):
    settings.MAJLIS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    token = participant_token_create(participant=person)

    with HeldLock(
        "SELECT id FROM events_session WHERE id = %s FOR UPDATE", [session.pk]
    ):
        first = post_booking(session, token, "key-1")

    assert first.status_code == 503
    assert first.json()["error"]["code"] == "try_again"
    assert first["Retry-After"] == "2"
    assert not IdempotencyRecord.objects.filter(key="key-1").exists()
    again = post_booking(session, token, "key-1")
    assert again.status_code == 201
    assert Booking.objects.filter(participant=person).count() == 1


def test_a_lock_wait_after_the_session_lock_is_a_503_too(settings):
    """The booking's insert must also wait for a lock on the delegate's row (its
    foreign key), here held by someone updating the delegate."""
    settings.MAJLIS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    token = participant_token_create(participant=person)

    with HeldLock(
        "SELECT id FROM accounts_participant WHERE id = %s FOR UPDATE", [person.pk]
    ):
        first = post_booking(session, token, "key-2")

    assert first.status_code == 503, first.content
    assert first.json()["error"]["code"] == "try_again"
    assert post_booking(session, token, "key-2").status_code == 201


def test_updating_a_delegate_does_not_block_their_bookings(settings):
    """An import or API update locks the delegate's row without its key, so the
    booking's foreign-key check does not wait for it."""
    settings.MAJLIS_LOCK_TIMEOUT_MS = 2000
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    token = participant_token_create(participant=person)
    started, finish = threading.Event(), threading.Event()

    def slow_update() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                participant_upsert(
                    event=session.event, data={"email": person.email, "name": "Renamed"}
                )
                started.set()
                finish.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_update)
    thread.start()
    assert started.wait(10)
    try:
        response = post_booking(session, token, "key-3")
    finally:
        finish.set()
        thread.join()
    assert response.status_code == 201, response.content


def test_the_booking_page_says_to_try_again_when_the_database_is_busy(settings, client):
    from majlis.site.signin import SESSION_KEY

    settings.MAJLIS_LOCK_TIMEOUT_MS = 200
    session = SessionFactory(capacity=5)
    person = ParticipantFactory(event=session.event)
    web = client
    browser_session = web.session
    browser_session[SESSION_KEY] = person.pk
    browser_session.save()
    book = f"/en/e/{session.event.slug}/s/{session.code}/book/"

    with HeldLock(
        "SELECT id FROM events_session WHERE id = %s FOR UPDATE", [session.pk]
    ):
        busy = web.post(book, {"form_token": "f" * 32}, follow=True)

    assert busy.status_code == 200
    assert "Please try again" in busy.content.decode()
    again = web.post(book, {"form_token": "f" * 32}, follow=True)
    assert "Your seat is booked" in again.content.decode()
    assert Booking.objects.filter(participant=person, status="confirmed").count() == 1
