"""The worker under faults: claims that run out, sends that keep dying, a
database that goes away, messages given up and sent again."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import majlis.outbox.rendering as rendering
from majlis.outbox import services as outbox_services
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import (
    CLAIM_BATCH,
    SendReport,
    _claim_due,
    _due,
    _prefer_index_order,
    outbox_enqueue,
    outbox_requeue,
    outbox_send_due,
)
from majlis.server.management.commands import outbox as outbox_command
from majlis.testing.factories import ParticipantFactory


def sign_in_message(participant) -> OutboxMessage:
    return outbox_enqueue(
        kind="magic_link",
        to_email=participant.email,
        language="en",
        payload={"participant": participant.pk, "token": "secret-token", "next": ""},
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_a_worker_whose_claim_ran_out_does_not_undo_the_send_of_another(monkeypatch):
    message = sign_in_message(ParticipantFactory())
    render = rendering.render_message
    calls = {"count": 0}

    def stall_then_fail(claimed, **options):
        calls["count"] += 1
        if calls["count"] == 1:
            # This worker stalls past its claim; another takes the message over.
            OutboxMessage.objects.filter(pk=claimed.pk).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
            other = threading.Thread(
                target=lambda: (outbox_send_due(limit=1), connections.close_all())
            )
            other.start()
            other.join()
            raise TimeoutError("this worker's mail server timed out")
        return render(claimed, **options)

    monkeypatch.setattr(rendering, "render_message", stall_then_fail)
    outbox_send_due(limit=1)

    message.refresh_from_db()
    assert len(mail.outbox) == 1
    assert message.status == OutboxStatus.SENT
    assert "token" not in message.payload


@pytest.mark.django_db
def test_a_message_whose_sends_kept_dying_is_given_up(settings):
    settings.MAJLIS_OUTBOX_MAX_ATTEMPTS = 3
    message = sign_in_message(ParticipantFactory())
    # Three claims whose worker died before recording anything.
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=3, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    report = outbox_send_due()
    message.refresh_from_db()
    assert (report.sent, message.status, len(mail.outbox)) == (0, "failed", 0)


@pytest.mark.django_db
def test_given_up_messages_can_be_sent_again(settings):
    message = sign_in_message(ParticipantFactory())
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=20)
    assert outbox_requeue(message_ids=[message.pk]) == 1
    assert outbox_send_due().sent == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_a_database_failure(monkeypatch):
    message = sign_in_message(ParticipantFactory())
    rounds = {"count": 0}
    send = outbox_command.outbox_send_due

    def flaky_send(**kwargs):
        rounds["count"] += 1
        if rounds["count"] == 1:
            raise DatabaseError("server closed the connection unexpectedly")
        return send(**kwargs)

    def sleep(_seconds):
        if rounds["count"] >= 2:
            raise KeyboardInterrupt  # how the worker is stopped

    monkeypatch.setattr(outbox_command, "outbox_send_due", flaky_send)
    monkeypatch.setattr(outbox_command.time, "sleep", sleep)
    monkeypatch.setattr(outbox_command.connections, "close_all", lambda: None)
    call_command("outbox", interval=0)

    message.refresh_from_db()
    assert rounds["count"] == 2
    assert message.status == OutboxStatus.SENT


# Committed data: the worker checks its connection before resting, which
# closes one that is inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_full_round_is_followed_at_once_and_the_worker_rests_when_the_queue_is_empty(
    monkeypatch,
):
    monkeypatch.setattr(outbox_command, "ROUND", 3)
    person = ParticipantFactory()
    messages = [sign_in_message(person) for _ in range(7)]
    rests: list[float] = []

    def sleep(seconds):
        rests.append(seconds)
        raise KeyboardInterrupt  # how the worker is stopped

    monkeypatch.setattr(outbox_command.time, "sleep", sleep)
    call_command("outbox", interval=60)

    # Rounds of 3, 3 and 1, with no rest between them: a crowd's thousands of
    # confirmations do not wait 60 s per round.
    assert rests == [60]
    assert len(mail.outbox) == 7
    assert {
        m.status for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])
    } == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_once_sends_all_that_is_due_even_past_a_round(monkeypatch):
    monkeypatch.setattr(outbox_command, "ROUND", 2)
    person = ParticipantFactory()
    for _ in range(5):
        sign_in_message(person)

    call_command("outbox", once=True)

    assert len(mail.outbox) == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_workers_claiming_at_once_send_each_message_once(monkeypatch):
    person = ParticipantFactory()
    messages = [sign_in_message(person) for _ in range(3 * CLAIM_BATCH + 5)]
    render = rendering.render_message
    both_claimed = threading.Barrier(2, timeout=10)

    def render_once_both_hold_a_batch(claimed, **options):
        # Each worker's first message waits for the other's claim, so the two
        # batches are taken while both workers run.
        if claimed.pk in first_of_batch:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_claimed.wait()
        return render(claimed, **options)

    first_of_batch = {m.pk for m in messages[::CLAIM_BATCH]}
    monkeypatch.setattr(rendering, "render_message", render_once_both_hold_a_batch)
    reports = []

    def worker() -> None:
        try:
            reports.append(outbox_send_due(limit=len(messages)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(m.to[0] for m in mail.outbox) == [person.email] * len(messages)
    assert sum(r.sent for r in reports) == len(messages)
    assert all(r.sent for r in reports), "one worker took the whole queue"
    assert set(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "status", "attempts"
        )
    ) == {(OutboxStatus.SENT, 1)}


@pytest.mark.django_db
def test_a_claim_costs_the_same_few_statements_however_many_it_takes():
    person = ParticipantFactory()
    messages = [sign_in_message(person) for _ in range(CLAIM_BATCH + 1)]

    with CaptureQueriesContext(connection) as one_claim:
        claimed, lease_ends = _claim_due(CLAIM_BATCH)

    assert [m.pk for m in claimed] == [m.pk for m in messages[:CLAIM_BATCH]]
    statements = [q["sql"] for q in one_claim.captured_queries]
    assert len([s for s in statements if "outbox_outboxmessage" in s]) == 2, statements
    # Reserved, but no attempt counted yet: that happens message by message.
    assert set(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).values_list(
            "attempts", "next_attempt_at"
        )
    ) == {(0, lease_ends)}


class WorkerKilled(BaseException):
    """What the worker's process dying looks like from inside it."""


@pytest.mark.django_db
def test_a_message_that_kills_its_worker_uses_up_only_its_own_attempts(
    settings, monkeypatch
):
    settings.MAJLIS_OUTBOX_MAX_ATTEMPTS = 3
    person = ParticipantFactory()
    first, poison, *others = [sign_in_message(person) for _ in range(5)]
    render = rendering.render_message

    def render_or_die(message, **options):
        if message.pk == poison.pk:
            raise WorkerKilled
        return render(message, **options)

    monkeypatch.setattr(rendering, "render_message", render_or_die)
    for _round in range(6):
        with contextlib.suppress(WorkerKilled):
            outbox_send_due()
        # The dead worker's lease runs out, and another worker comes.
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )

    rows = {
        m.pk: m
        for m in OutboxMessage.objects.filter(
            pk__in=[first.pk, poison.pk, *(m.pk for m in others)]
        )
    }
    assert (rows[poison.pk].status, rows[poison.pk].attempts) == (
        OutboxStatus.FAILED,
        3,
    )
    assert "token" not in rows[poison.pk].payload
    for innocent in [first, *others]:
        assert (rows[innocent.pk].status, rows[innocent.pk].attempts) == (
            OutboxStatus.SENT,
            1,
        )
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_messages_left_untried_by_an_error_are_handed_back_at_once(monkeypatch):
    person = ParticipantFactory()
    first, *_others = [sign_in_message(person) for _ in range(3)]

    def database_fails(message):
        raise DatabaseError("the connection went away")

    monkeypatch.setattr(outbox_services, "_record_result", database_fails)
    with pytest.raises(DatabaseError):
        outbox_send_due()

    monkeypatch.undo()
    # The first was tried (its lease runs); the other two wait for nobody.
    assert outbox_send_due() == SendReport(sent=2)
    first.refresh_from_db()
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert first.next_attempt_at > timezone.now()


def _plan_of_a_claim() -> str:
    with transaction.atomic():
        _prefer_index_order()
        return _due(CLAIM_BATCH).explain()


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_a_claim_reads_a_long_queue_in_index_order_whatever_the_statistics():
    """A crowd queues thousands of messages into a table PostgreSQL has no
    statistics of yet (a new conference's database, as here, until
    autovacuum's next ANALYZE)."""
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind="booking_waitlisted",
            to_email=f"delegate-{n}@example.org",
            language="en",
            payload={"booking": n, "position": n},
            next_attempt_at=now - timedelta(microseconds=n),
        )
        for n in range(9000)
    )

    planned = _plan_of_a_claim()

    # In the index's order: read until the claim is full, never sorted.
    assert "Index Scan" in planned and "Sort" not in planned, planned


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_a_claim_turns_bitmap_scans_off_for_itself_only():
    """The bench's queue got a bitmap and a sort of every waiting message
    (docs/BENCHMARKS.md). The worker claims in a transaction of its own
    (as here), after which the connection plans as before."""
    sign_in_message(ParticipantFactory())

    with CaptureQueriesContext(connection) as one_claim:
        claimed, _lease_ends = _claim_due(CLAIM_BATCH)

    statements = [q["sql"] for q in one_claim.captured_queries]
    setting = statements.index("SET LOCAL enable_bitmapscan = off")
    assert "FOR UPDATE SKIP LOCKED" in statements[setting + 1]
    assert len(claimed) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone() == ("on",)
