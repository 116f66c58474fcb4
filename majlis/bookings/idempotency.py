"""Answer a retried request with its first answer (``Idempotency-Key``).

The record is inserted before the work, in the same transaction: a concurrent
retry blocks on the unique key until the first request commits, then reads
its answer. Errors are remembered too, because an error also is an answer and
changed nothing; but not a transient one ("try again"), whose retry must be
free to succeed.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from majlis.bookings.models import IdempotencyRecord
from majlis.core.exceptions import IdempotencyKeyReused, MajlisError, TryAgain

Answer = tuple[int, dict]
# An answer, and whether it is the one stored by an earlier request.
Outcome = tuple[int, dict, bool]


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(
        b"\n".join([method.encode(), path.encode(), body])
    ).hexdigest()


def _stored_answer(principal: str, key: str, request_fingerprint: str) -> Answer:
    record = IdempotencyRecord.objects.get(principal=principal, key=key)
    if record.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused()
    if record.response_status is None:
        raise RuntimeError("an idempotency record was committed without its answer")
    return record.response_status, dict(record.response_body or {})


def run_once(
    *,
    principal: str,
    key: str | None,
    request_fingerprint: str,
    work: Callable[[], Answer],
    error_answer: Callable[[MajlisError], Answer],
) -> Outcome:
    if not key:
        try:
            return *work(), False
        except MajlisError as error:
            if error.transient:
                raise  # "try again" is no answer: the caller says when
            return *error_answer(error), False
    try:
        status, body, duplicate = _run_keyed(
            principal, key[:200], request_fingerprint, work, error_answer
        )
    except OperationalError as error:
        # Deferred foreign-key checks run at this outer commit, and may wait for
        # a lock as long as any statement.
        raise TryAgain() from error
    if duplicate:
        return *_stored_answer(principal, key[:200], request_fingerprint), True
    return status, body, False


def remember(
    *, principal: str, key: str, request_fingerprint: str, answer: Answer
) -> Outcome:
    """Keep ``answer``, decided elsewhere without the key's record (a refusal
    of the database's booking function), as the key's answer; if the key was
    answered meanwhile, that answer instead, which then stands for both.

    One statement, committed on its own: every refusal sent with a key is
    kept, and a crowd repeating its requests sends thousands."""
    status, body = answer
    table = IdempotencyRecord._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (principal, key, request_fingerprint,"  # noqa: S608
                " response_status, response_body, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (principal, key) DO NOTHING RETURNING id",
                [
                    principal,
                    key[:200],
                    request_fingerprint,
                    status,
                    json.dumps(body),
                    timezone.now(),
                ],
            )
            inserted = cursor.fetchone() is not None
    except OperationalError as error:
        raise TryAgain() from error
    if not inserted:
        return *_stored_answer(principal, key[:200], request_fingerprint), True
    return status, body, False


def _run_keyed(
    principal: str,
    key: str,
    request_fingerprint: str,
    work: Callable[[], Answer],
    error_answer: Callable[[MajlisError], Answer],
) -> tuple[int, dict, bool]:
    """Run ``work`` once under the key; the last item says the key was already used."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    request_fingerprint=request_fingerprint,
                )
        except IntegrityError:
            return 0, {}, True
        try:
            with transaction.atomic():
                status, body = work()
        except MajlisError as error:
            if error.transient:
                raise  # and the record goes with the rolled-back transaction
            status, body = error_answer(error)
        record.response_status = status
        record.response_body = body
        record.save(update_fields=["response_status", "response_body"])
    return status, body, False
