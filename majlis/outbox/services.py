"""Writing messages to the outbox, and the worker that sends them.

Delivery is at least once: a message is marked sent only after the mail server
accepted it, so a crash between the two sends it again rather than never.
"""

import contextlib
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import DatabaseError, transaction
from django.db import connection as database
from django.db.models import QuerySet
from django.utils import timezone

from majlis.outbox import rendering
from majlis.outbox.models import OutboxMessage, OutboxPriority, OutboxStatus

logger = logging.getLogger(__name__)

SECRET_PAYLOAD_KEYS = frozenset({"token"})
# A claimed message is left alone this long; if its worker died, another takes
# it. Each message's lease starts again just before it is tried.
CLAIM_LEASE = timedelta(minutes=5)
# Messages reserved by one claim.
CLAIM_BATCH = 20
# What a claim's messages report on (their bookings), read together, is read
# again after this long, so that an email never tells of a booking as it was
# minutes before it is sent.
BOOKINGS_FRESH_SECONDS = 5.0


def outbox_enqueue(
    *,
    kind: str,
    to_email: str,
    language: str,
    payload: dict[str, Any],
    status: str = OutboxStatus.PENDING,
) -> OutboxMessage:
    """A message to send; written ``DROPPED``, it is only a row (the worker
    takes pending messages alone)."""
    return OutboxMessage.objects.create(
        kind=kind,
        to_email=to_email,
        language=language,
        payload=payload,
        priority=OutboxPriority.URGENT
        if rendering.is_urgent(kind)
        else OutboxPriority.NORMAL,
        status=status,
        next_attempt_at=timezone.now(),
    )


def outbox_enqueue_many(
    *, kind: str, messages: list[tuple[str, str, dict[str, Any]]]
) -> int:
    """Messages of one kind to send, each ``(to_email, language, payload)``,
    written in batches (a welcome for each delegate of an import: thousands
    of rows in a few statements)."""
    priority = (
        OutboxPriority.URGENT if rendering.is_urgent(kind) else OutboxPriority.NORMAL
    )
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=kind,
                to_email=to_email,
                language=language,
                payload=payload,
                priority=priority,
                next_attempt_at=now,
            )
            for to_email, language, payload in messages
        ],
        batch_size=500,
    )
    return len(messages)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # No longer true when their turn came (``rendering.NotToSend``): not sent.
    dropped: int = 0
    paused: bool = False


def _retry_delay(attempts: int) -> timedelta:
    base = settings.MAJLIS_OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


def _due(limit: int, *, only_urgent: bool = False) -> QuerySet[OutboxMessage]:
    """The first ``limit`` due messages, urgent ones first, then oldest first,
    none another worker holds."""
    due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    if only_urgent:
        due = due.filter(priority=OutboxPriority.URGENT)
    return due.order_by("priority", "next_attempt_at")[:limit]


def _prefer_index_order() -> None:
    """Have PostgreSQL read the due messages in the index's order, for the
    rest of this transaction, whatever its statistics say.

    Its statistics say how many messages wait as of the last ANALYZE: a few,
    in a quiet week. When a crowd then queues thousands, it still expects a
    few and collects every pending message in a bitmap to sort them, for each
    claim of 20: measured, 6 to 9 ms a claim with 9,000 waiting instead of
    0.1 ms, a cost growing with the queue it should drain (docs/BENCHMARKS.md).
    Without bitmaps, the index on (status, next_attempt_at) hands the due
    messages over in the order asked for, and the scan stops at ``limit``.
    """
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")


def _claim_due(
    limit: int, *, only_urgent: bool = False
) -> tuple[list[OutboxMessage], datetime]:
    """Reserve up to ``limit`` due messages for this worker, in one short
    transaction of its own; also the end of their lease, which marks them as
    this claim's.

    The mail server is never called inside a transaction: on SQLite that would
    hold the database's only write lock, and bookings would wait for SMTP.
    ``skip_locked`` lets several workers share the queue on PostgreSQL. One
    claim for many messages keeps the queue's cost to the database small while
    a flash crowd fills it (docs/BENCHMARKS.md). No attempt is counted here:
    a message that kills its worker must not use up the attempts of the others
    reserved with it.
    """
    lease_ends = timezone.now() + CLAIM_LEASE
    with transaction.atomic():
        _prefer_index_order()
        claimed = list(_due(limit, only_urgent=only_urgent))
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            next_attempt_at=lease_ends
        )
    for message in claimed:
        message.next_attempt_at = lease_ends
    return claimed, lease_ends


_STATEMENTS: dict[tuple[str, tuple[str, ...], bool], str] = {}


def _update_if_still_held(
    message: OutboxMessage, *fields: str, count_attempt: bool = False
) -> bool:
    """Write ``fields`` of ``message`` (and count an attempt) if it is still
    pending with the attempts this worker saw, that is, still this worker's.

    Two such writes per message sent: through the ORM they cost 0.5-0.6 ms of
    CPU each to build, against 0.13 ms for the same statement built once
    (docs/BENCHMARKS.md). Table and columns come from the model's metadata,
    the values pass through the model's fields.
    """
    meta = OutboxMessage._meta
    key = (database.vendor, fields, count_attempt)
    statement = _STATEMENTS.get(key)
    if statement is None:
        quote = database.ops.quote_name

        def column(name: str) -> str:
            return quote(meta.get_field(name).column)  # type: ignore[union-attr,arg-type]

        assignments = [f"{column(name)} = %s" for name in fields]
        if count_attempt:
            assignments.append(f"{column('attempts')} = {column('attempts')} + 1")
        statement = _STATEMENTS[key] = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)}"  # noqa: S608
            f" WHERE {column('id')} = %s AND {column('status')} = %s"
            f" AND {column('attempts')} = %s"
        )
    values = [
        meta.get_field(name).get_db_prep_save(getattr(message, name), database)  # type: ignore[union-attr]
        for name in fields
    ]
    with database.cursor() as cursor:
        cursor.execute(
            statement, [*values, message.pk, OutboxStatus.PENDING, message.attempts]
        )
        return cursor.rowcount == 1


def _start_attempt(message: OutboxMessage) -> bool:
    """Count an attempt and start its lease, just before the message is tried;
    ``False`` when another worker took the message over meanwhile (this
    claim's lease ran out), which then is theirs alone."""
    held_until = message.next_attempt_at
    message.next_attempt_at = timezone.now() + CLAIM_LEASE
    if not _update_if_still_held(message, "next_attempt_at", count_attempt=True):
        message.next_attempt_at = held_until
        return False
    message.attempts += 1
    return True


def _give_up_cut_short(message: OutboxMessage) -> bool:
    """Give up a message whose every attempt was cut short: each of its sends
    killed the worker before any result was written."""
    message.status = OutboxStatus.FAILED
    message.last_error = "gave up: every attempt was cut short"
    message.payload = _without_secrets(message.payload)
    return _record_result(message)


def _release(messages: list[OutboxMessage], lease_ends: datetime) -> None:
    """Hand back claimed messages never tried, so that they need not wait out
    the lease: only those still held by this claim."""
    OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages],
        status=OutboxStatus.PENDING,
        next_attempt_at=lease_ends,
    ).update(next_attempt_at=timezone.now())


def _record_result(message: OutboxMessage) -> bool:
    """Write what the send did, unless the claim ran out meanwhile and another
    worker took the message (then its result stands, not ours)."""
    return _update_if_still_held(
        message, "status", "sent_at", "last_error", "next_attempt_at", "payload"
    )


def outbox_requeue(*, message_ids: list[int]) -> int:
    """Send given-up messages again, from a fresh count of attempts."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, status=OutboxStatus.FAILED
    ).update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())


def _without_secrets(payload: dict[str, Any]) -> dict[str, Any]:
    """A sign-in link, once sent or given up, must not stay readable in the database."""
    return {k: v for k, v in payload.items() if k not in SECRET_PAYLOAD_KEYS}


def _closed_by_server(error: Exception) -> bool:
    """Whether the server ended the connection: it dropped it, or said 421
    (closing the channel, RFC 5321 4.2.3), which smtplib reports as a refusal
    of the sender or, at RCPT, of every recipient."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = error.recipients.values()
        return bool(refusals) and all(code == 421 for code, _reply in refusals)
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421


def _deliver(email: Any, connection: Any) -> None:
    """Send on the round's one connection, opened by the first message.

    A connection per message cost as much CPU as the rest of the sending, on
    both sides (docs/BENCHMARKS.md in git before 2026-12-05, item 23). A
    server may close a connection
    that sat idle between two messages (a slow render, a wait on the
    database, a worker at the lowest priority waiting for the CPU): a
    connection used before gets one fresh try. Where the server had stored
    the message before the connection dropped, the delegate gets it twice,
    as delivery is at least once; the log says so.
    """
    opened_now = connection.open() is not False
    try:
        sent = connection.send_messages([email])
    except Exception as error:
        if opened_now or not _closed_by_server(error):
            raise
        logger.info("the mail server closed the connection (%s): sending again", error)
        connection.close()
        connection.open()
        sent = connection.send_messages([email])
    if sent != 1:
        raise RuntimeError("the mail server accepted no message")


def _send(
    message: OutboxMessage,
    connection: Any,
    report: SendReport,
    batch: dict[rendering.MessageKind, Any],
) -> None:
    try:
        _deliver(rendering.render_message(message, batch=batch), connection)
    except rendering.NotToSend as reason:
        message.status = OutboxStatus.DROPPED
        message.last_error = f"not sent: {reason}"[:2000]
        message.payload = _without_secrets(message.payload)
        report.dropped += 1
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


def outbox_send_due(
    *,
    limit: int = 100,
    pause: Callable[[], bool] | None = None,
    only_urgent: bool = False,
) -> SendReport:
    """Send up to ``limit`` due messages, urgent ones first; a failure
    schedules a retry with exponential back-off and, after
    ``MAJLIS_OUTBOX_MAX_ATTEMPTS``, gives up. Stops early, before a claim, when
    ``pause`` says so (``report.paused``); ``only_urgent`` sends nothing else."""
    report = SendReport()
    connection = mailers.default
    try:
        handled = 0
        while handled < limit:
            if pause is not None and pause():
                report.paused = True
                break
            claimed, lease_ends = _claim_due(
                min(CLAIM_BATCH, limit - handled), only_urgent=only_urgent
            )
            if not claimed:
                break
            handled += len(claimed)
            untried = list(claimed)
            try:
                batch, read_at = rendering.read_batch(claimed), time.monotonic()
                while untried:
                    if time.monotonic() - read_at > BOOKINGS_FRESH_SECONDS:
                        # A slow mail server: read again what the rest report.
                        batch, read_at = rendering.read_batch(untried), time.monotonic()
                    message = untried.pop(0)
                    if message.attempts >= settings.MAJLIS_OUTBOX_MAX_ATTEMPTS:
                        if _give_up_cut_short(message):
                            report.failed += 1
                    elif _start_attempt(message):
                        _send(message, connection, report, batch)
            finally:
                if untried:
                    # An error or a stop in the middle of a claim.
                    with contextlib.suppress(DatabaseError):
                        _release(untried, lease_ends)
    finally:
        connection.close()
    return report
