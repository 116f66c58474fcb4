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
from django.utils import timezone

from majlis.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

SECRET_PAYLOAD_KEYS = frozenset({"token"})
# A claimed message is left alone this long; if its worker died, another takes it.
CLAIM_LEASE = timedelta(minutes=5)


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


def _claim_next() -> OutboxMessage | None:
    """Take the next due message for this worker, in a transaction of its own.

    The mail server is never called inside a transaction: on SQLite that would
    hold the database's only write lock, and bookings would wait for SMTP.
    ``skip_locked`` lets several workers share the queue on PostgreSQL.
    """
    with transaction.atomic():
        # A message whose sends kept killing the worker (past its claims) stops here.
        OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING,
            attempts__gte=settings.MAJLIS_OUTBOX_MAX_ATTEMPTS,
            next_attempt_at__lte=timezone.now(),
        ).update(
            status=OutboxStatus.FAILED,
            last_error="gave up: every attempt was cut short",
        )
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "id")
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = timezone.now() + CLAIM_LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
        return message


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


def outbox_send_due(*, limit: int = 100) -> SendReport:
    """Send up to ``limit`` due messages; a failure schedules a retry with
    exponential back-off and, after ``MAJLIS_OUTBOX_MAX_ATTEMPTS``, gives up."""
    from majlis.outbox.rendering import render_message

    report = SendReport()
    connection = mailers.default
    try:
        for _ in range(limit):
            message = _claim_next()
            if message is None:
                break
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
                    message.next_attempt_at = timezone.now() + _retry_delay(
                        message.attempts
                    )
                    report.retried += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = timezone.now()
                message.last_error = ""
                message.payload = _without_secrets(message.payload)
                report.sent += 1
            _record_result(message)
    finally:
        connection.close()
    return report
