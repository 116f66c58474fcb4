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


def outbox_send_due(*, limit: int = 100) -> SendReport:
    """Send the messages that are due, each in its own transaction.

    ``skip_locked`` lets several workers share the queue on PostgreSQL; the
    row stays locked while its message is handed to the mail server.
    """
    from majlis.outbox.rendering import render_message

    report = SendReport()
    connection = mailers.default
    try:
        for _ in range(limit):
            with transaction.atomic():
                message = (
                    OutboxMessage.objects.select_for_update(skip_locked=True)
                    .filter(
                        status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
                    )
                    .order_by("next_attempt_at", "id")
                    .first()
                )
                if message is None:
                    break
                message.attempts += 1
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
                        report.failed += 1
                    else:
                        message.next_attempt_at = timezone.now() + _retry_delay(
                            message.attempts
                        )
                        report.retried += 1
                else:
                    message.status = OutboxStatus.SENT
                    # A sent sign-in link must not stay readable in the database.
                    message.payload = {
                        k: v
                        for k, v in message.payload.items()
                        if k not in SECRET_PAYLOAD_KEYS
                    }
                    message.sent_at = timezone.now()
                    message.last_error = ""
                    report.sent += 1
                message.save(
                    update_fields=[
                        "attempts",
                        "status",
                        "sent_at",
                        "last_error",
                        "next_attempt_at",
                        "payload",
                    ]
                )
    finally:
        connection.close()
    return report
