"""Answer a retried request with its first answer (``Idempotency-Key``).

The record is inserted before the work, in the same transaction: a concurrent
retry blocks on the unique key until the first request commits, then reads
its answer. Errors are remembered too, because an error also is an answer and
changed nothing.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction

from majlis.bookings.models import IdempotencyRecord
from majlis.core.exceptions import IdempotencyKeyReused, MajlisError

Answer = tuple[int, dict]


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
) -> Answer:
    if not key:
        try:
            return work()
        except MajlisError as error:
            return error_answer(error)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key[:200],
                    request_fingerprint=request_fingerprint,
                )
        except IntegrityError:
            duplicate = True
        else:
            duplicate = False
            try:
                with transaction.atomic():
                    status, body = work()
            except MajlisError as error:
                status, body = error_answer(error)
            record.response_status = status
            record.response_body = body
            record.save(update_fields=["response_status", "response_body"])
    if duplicate:
        return _stored_answer(principal, key[:200], request_fingerprint)
    return status, body
