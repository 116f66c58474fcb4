"""Read-only queries of the accounts app."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Field, Model

from majlis.accounts.models import (
    CalendarFeed,
    Participant,
    ParticipantToken,
    hash_secret,
)
from majlis.events.models import Event

# A delegate's first API request in a flash crowd always misses the token
# memory. Built through the ORM, that look-up cost 2.1 ms of CPU, most of it
# compiling the same three-table query again (docs/BENCHMARKS.md). The
# statement below is built once per database vendor, every table and column
# named from the models' own metadata, so it follows their migrations, and
# costs 0.4 ms; its rows pass through the same converters as the ORM's.
_JOINED: tuple[type[Model], ...] = (ParticipantToken, Participant, Event)
_ALIASES = ("t", "p", "e")

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _ModelColumns:
    model: type[Model]
    attnames: list[str]
    converters: list[tuple[list[Converter], Any]]


@dataclass(frozen=True)
class _TokenQuery:
    statement: str
    models: list[_ModelColumns]


_queries: dict[str, _TokenQuery] = {}


def _column_converters(field: Field, connection: Any) -> tuple[list[Converter], Any]:
    column = field.get_col(field.model._meta.db_table)
    return (
        connection.ops.get_db_converters(column) + field.get_db_converters(connection),
        column,
    )


def _token_query(connection: Any) -> _TokenQuery:
    found = _queries.get(connection.vendor)
    if found is not None:
        return found
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for alias, model in zip(_ALIASES, _JOINED, strict=True)
        for field in model._meta.concrete_fields
    )
    token, participant, event = (quote(model._meta.db_table) for model in _JOINED)

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        if not isinstance(field, Field):  # a relation to this model, not a column
            raise TypeError(f"{model.__name__}.{name} has no column")
        return quote(field.column)

    # Only names from the models' metadata, quoted; the values are parameters.
    statement = (
        f"SELECT {columns} FROM {token} t"  # noqa: S608
        f" JOIN {participant} p ON p.{column(Participant, 'id')}"
        f" = t.{column(ParticipantToken, 'participant')}"
        f" JOIN {event} e ON e.{column(Event, 'id')} = p.{column(Participant, 'event')}"
        f" WHERE t.{column(ParticipantToken, 'key_hash')} = %s"
        f" AND t.{column(ParticipantToken, 'revoked_at')} IS NULL"
        f" AND t.{column(ParticipantToken, 'expires_at')} > %s"
    )
    query = _TokenQuery(
        statement,
        [
            _ModelColumns(
                model,
                [field.attname for field in model._meta.concrete_fields],
                [
                    _column_converters(field, connection)
                    for field in model._meta.concrete_fields
                ],
            )
            for model in _JOINED
        ],
    )
    _queries[connection.vendor] = query
    return query


def participant_token_valid(
    *, key_hash: str, now: datetime, using: str = "default"
) -> ParticipantToken | None:
    """The token with this hash, neither revoked nor expired at ``now``, with its
    delegate and the delegate's event loaded, as ``select_related`` would."""
    connection = connections[using]
    query = _token_query(connection)
    with connection.cursor() as cursor:
        cursor.execute(query.statement, [key_hash, now])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Model] = []
    start = 0
    for columns in query.models:
        values = list(row[start : start + len(columns.attnames)])
        start += len(columns.attnames)
        for index, (converters, expression) in enumerate(columns.converters):
            for converter in converters:
                values[index] = converter(values[index], expression, connection)
        instances.append(columns.model.from_db(using, columns.attnames, values))
    token, participant, event = instances
    participant.event = event  # type: ignore[attr-defined]
    token.participant = participant  # type: ignore[attr-defined]
    return token  # type: ignore[return-value]


def calendar_feed_participant(*, token: str) -> Participant | None:
    """The delegate whose calendar subscription ``token`` opens, with their
    event; None for an unknown or replaced token."""
    if not token.startswith(CalendarFeed.PREFIX):
        return None
    feed = (
        CalendarFeed.objects.select_related("participant", "participant__event")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    return feed.participant if feed is not None else None


def calendar_feed_get(*, participant: Participant) -> CalendarFeed | None:
    """The delegate's calendar subscription, if they made one."""
    return CalendarFeed.objects.filter(participant=participant).first()
