"""Writing messages to the outbox, and the worker that sends them.

Delivery is at least once: a message is marked sent only after the mail server
accepted it, so a crash between the two sends it again rather than never.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from majlis.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

SECRET_PAYLOAD_KEYS = frozenset({"token"})
# A claimed message is left alone this long; if its worker died, another takes it.
CLAIM_LEASE = timedelta(minutes=5)
# Messages claimed at once: at most this many sends, each bounded by the mail
# server's timeout (10 s), must fit in the lease.
CLAIM_BATCH = 20


def outbox_enqueue(
    *, kind: str, to_email: str, language: str, payload: dict[str, Any]
) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=kind,
        to_email=to_email,
        language=language,
        payload=payload,
        next_attempt_at=timezone.now(),
    )


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _retry_delay(attempts: int) -> timedelta:
    base = settings.MAJLIS_OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


def _claim_due(limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker, in one short
    transaction of its own.

    The mail server is never called inside a transaction: on SQLite that would
    hold the database's only write lock, and bookings would wait for SMTP.
    ``skip_locked`` lets several workers share the queue on PostgreSQL. One
    claim for many messages keeps the queue's cost to the database small while
    a flash crowd fills it (docs/BENCHMARKS.md).
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        spent = [
            m for m in claimed if m.attempts >= settings.MAJLIS_OUTBOX_MAX_ATTEMPTS
        ]
        for message in spent:
            # Its sends kept killing the worker before any result was written.
            message.status = OutboxStatus.FAILED
            message.last_error = "gave up: every attempt was cut short"
            message.payload = _without_secrets(message.payload)
            message.save(update_fields=["status", "last_error", "payload"])
        live = [m for m in claimed if m not in spent]
        lease_ends = now + CLAIM_LEASE
        OutboxMessage.objects.filter(pk__in=[m.pk for m in live]).update(
            attempts=F("attempts") + 1, next_attempt_at=lease_ends
        )
    for message in live:
        message.attempts += 1
        message.next_attempt_at = lease_ends
    return claimed


def _record_result(message: OutboxMessage) -> None:
    """Write what the send did, unless the claim ran out meanwhile and another
    worker took the message (then its result stands, not ours)."""
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts
    ).update(
        status=message.status,
        sent_at=message.sent_at,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at,
        payload=message.payload,
    )


def outbox_requeue(*, message_ids: list[int]) -> int:
    """Send given-up messages again, from a fresh count of attempts."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, status=OutboxStatus.FAILED
    ).update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())


def _without_secrets(payload: dict[str, Any]) -> dict[str, Any]:
    """A sign-in link, once sent or given up, must not stay readable in the database."""
    return {k: v for k, v in payload.items() if k not in SECRET_PAYLOAD_KEYS}


def _send(message: OutboxMessage, connection: Any, report: SendReport) -> None:
    from majlis.outbox.rendering import render_message

    try:
        email = render_message(message)
        if connection.send_messages([email]) != 1:
            raise RuntimeError("the mail server accepted no message")
    except Exception as error:  # any failure must only delay, never lose
        logger.warning("outbox message %s failed: %s", message.pk, error)
        connection.close()
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.MAJLIS_OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
            message.payload = _without_secrets(message.payload)
            report.failed += 1
        else:
            message.next_attempt_at = timezone.now() + _retry_delay(message.attempts)
            report.retried += 1
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.payload = _without_secrets(message.payload)
        report.sent += 1
    _record_result(message)


def outbox_send_due(*, limit: int = 100) -> SendReport:
    """Send up to ``limit`` due messages; a failure schedules a retry with
    exponential back-off and, after ``MAJLIS_OUTBOX_MAX_ATTEMPTS``, gives up."""
    report = SendReport()
    connection = mailers.default
    try:
        handled = 0
        while handled < limit:
            claimed = _claim_due(min(CLAIM_BATCH, limit - handled))
            if not claimed:
                break
            handled += len(claimed)
            for message in claimed:
                if message.status == OutboxStatus.FAILED:
                    report.failed += 1
                else:
                    _send(message, connection, report)
    finally:
        connection.close()
    return report
