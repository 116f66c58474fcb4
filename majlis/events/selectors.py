"""Read-only queries about events and their sessions."""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from majlis.core.exceptions import BookingClosed, NotFound
from majlis.core.shared_reads import read_at_most_every
from majlis.events.models import Event, Session
from majlis.events.rules import booking_window_check


def event_get(*, slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise NotFound()
    return event


def session_queryset_with_counts(event: Event) -> QuerySet[Session]:
    """Sessions with their event; ``seats_taken`` and ``waitlist_length`` are
    counters kept in the row, so nothing is counted here."""
    return (
        Session.objects.filter(event=event)
        .select_related("event")
        .order_by("starts_at", "code")
    )


def session_list(*, event: Event, understood: str | None = None) -> list[Session]:
    """The event's sessions; with ``understood``, only those a delegate who speaks
    that language can follow (spoken there, or interpreted into it)."""
    sessions = list(session_queryset_with_counts(event))
    if understood:
        sessions = [s for s in sessions if s.can_be_followed_in(understood)]
    return sessions


@dataclass(frozen=True)
class ProgrammeRows:
    """The sessions of an event as read at ``read_at`` (``time.time()``)."""

    read_at: float
    sessions: list[Session]


def programme_rows(
    *, slug: str, understood: str | None, fresh_for: float
) -> ProgrammeRows:
    """The event's sessions as this process read them at most ``fresh_for``
    seconds ago, for every language: in a flash crowd each process reads them
    once a second, not once a second per language (docs/BENCHMARKS.md)."""

    def read() -> ProgrammeRows:
        read_at = time.time()
        return ProgrammeRows(
            read_at, session_list(event=event_get(slug=slug), understood=understood)
        )

    return read_at_most_every(f"rows:{slug}:{understood or ''}", fresh_for, read)


def event_of_page(*, slug: str, fresh_for: float) -> Event:
    """The event as this process read it at most ``fresh_for`` seconds ago:
    every delegate's page names it, and a change of it (its booking window
    included: the booking functions read it again) shows within the second."""
    return read_at_most_every(f"event:{slug}", fresh_for, lambda: event_get(slug=slug))


def session_of_page(*, event_slug: str, code: str, fresh_for: float) -> Session:
    """A session and its event as this process read them at most ``fresh_for``
    seconds ago: what its page shows everyone (its seats left as fresh as the
    programme's); what it shows a delegate of their own is read each time."""
    return read_at_most_every(
        f"session:{event_slug}:{code}",
        fresh_for,
        lambda: session_get_in_event(event_slug=event_slug, code=code),
    )


def session_get(*, event: Event, code: str) -> Session:
    session = session_queryset_with_counts(event).filter(code=code).first()
    if session is None:
        raise NotFound()
    return session


def session_get_in_event(*, event_slug: str, code: str) -> Session:
    """A session and its event in one query, as a session's page needs both."""
    session = (
        Session.objects.select_related("event")
        .filter(event__slug=event_slug, code=code)
        .first()
    )
    if session is None:
        raise NotFound()
    return session


def session_to_book(*, event: Event, code: str) -> Session:
    """The session a booking names, without the counts the programme shows: the
    booking services read it again under its lock."""
    session = Session.objects.filter(event=event, code=code).first()
    if session is None:
        raise NotFound()
    return session


def booking_open_now(session: Session, now: datetime | None = None) -> bool:
    try:
        booking_window_check(
            event=session.event, session=session, now=now or timezone.now()
        )
    except BookingClosed:
        return False
    return True


@dataclass
class ProgrammeDay:
    day: date
    sessions: list[Session]


def programme_by_day(
    *, event: Event, sessions: Iterable[Session]
) -> list[ProgrammeDay]:
    """Sessions grouped by their day in the event's time zone."""
    days: dict[date, list[Session]] = {}
    for session in sessions:
        local_day = timezone.localtime(session.starts_at, event.zone).date()
        days.setdefault(local_day, []).append(session)
    return [ProgrammeDay(day, items) for day, items in sorted(days.items())]
