"""Turn an outbox row into an email, in the recipient's language.

The outbox knows no app above it: each app registers the kinds of message it
writes (``register_kinds``, from its ``AppConfig.ready``), with the function
that renders one and, optionally, one that reads what a whole claim of them
reports on in one query.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation

from majlis.outbox.models import OutboxMessage


@dataclass(frozen=True, eq=False)
class MessageKind:
    """How to render the messages of some kinds.

    ``read_batch`` reads what a claim's messages of these kinds report on, in
    one query: looked up one by one, bookings were a fifth of a message's CPU
    (docs/BENCHMARKS.md); ``render`` receives what it read (or ``None``).
    """

    render: Callable[[OutboxMessage, Any], EmailMessage]
    read_batch: Callable[[list[OutboxMessage]], Any] | None = None
    # Someone waits for it to act (a sign-in link): sent first, even in a crowd.
    urgent: bool = False


class NotToSend(Exception):
    """Raised by a kind's ``render`` when what its message reports on no
    longer holds as it is sent (a delegate's tables, for a booking cancelled
    since it was queued): the worker marks the message dropped, neither sent
    nor tried again. The exception's text says why, in the row."""


_KINDS: dict[str, MessageKind] = {}


def register_kinds(names: Iterable[str], kind: MessageKind) -> None:
    for name in names:
        _KINDS[name] = kind


def registered_kinds() -> frozenset[str]:
    return frozenset(_KINDS)


def is_urgent(name: str) -> bool:
    kind = _KINDS.get(name)
    return kind is not None and kind.urgent


def absolute_url(path: str) -> str:
    return settings.BASE_URL + path


def read_batch(messages: list[OutboxMessage]) -> dict[MessageKind, Any]:
    """What the messages of a claim report on, one read per registered kind."""
    by_kind: dict[MessageKind, list[OutboxMessage]] = {}
    for message in messages:
        kind = _KINDS.get(message.kind)
        if kind is not None and kind.read_batch is not None:
            by_kind.setdefault(kind, []).append(message)
    return {
        kind: kind.read_batch(of_kind)  # type: ignore[misc]
        for kind, of_kind in by_kind.items()
    }


def render_message(
    message: OutboxMessage, *, batch: dict[MessageKind, Any] | None = None
) -> EmailMessage:
    """The email of ``message``; ``batch`` may hold what it reports on already
    (:func:`read_batch`). Raises :class:`NotToSend` for a message no longer to
    send."""
    kind = _KINDS.get(message.kind)
    if kind is None:
        raise ValueError(f"unknown outbox message kind {message.kind!r}")
    with translation.override(message.language):
        email = kind.render(message, (batch or {}).get(kind))
    email.subject = one_line(str(email.subject))
    return email


def one_line(text: str) -> str:
    """``text`` with its line breaks (any ``str.splitlines`` knows) made
    spaces: a subject is one header line, and Django refuses to send one that
    holds a break. The forms refuse breaks in what goes into subjects (a
    message's subject, a session's title, an event's name); a value written
    before they did, or by another way in, still gives a message that can be
    sent rather than one retried for days."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())
