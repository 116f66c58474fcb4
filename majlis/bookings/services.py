"""The only code that changes a booking.

Every function here runs in one transaction, locks the overlap group of the
sessions it touches first (``majlis.bookings.locking``), and writes the audit
trail and the outbox messages in the same transaction as the change. Admin
actions, web views, the API and commands all come through here.
"""

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from majlis.accounts.models import ApiKey, Participant
from majlis.bookings.locking import (
    busy_means_try_again,
    lock_event_schedule,
    lock_overlap_group,
    lock_sessions,
    overlap_group_ids,
    sessions_overlapping,
)
from majlis.bookings.models import (
    AccessNeed,
    ActorKind,
    Booking,
    BookingChange,
    BookingStatus,
)
from majlis.bookings.selectors import delegates_double_booked_by_move, waitlist_position
from majlis.core.exceptions import (
    AlreadyBooked,
    BookingCancelled,
    BookingClosed,
    CapacityBelowConfirmed,
    InvalidInput,
    NotRegistered,
    SessionFull,
    SessionMoveConflict,
    TimeConflict,
    TooEarly,
    TryAgain,
)
from majlis.events.models import Event, Session
from majlis.outbox.services import outbox_enqueue


@dataclass(frozen=True)
class Actor:
    """Who asked for a change, as the audit trail records it."""

    kind: ActorKind
    user: User | None = None
    api_key: ApiKey | None = None

    @classmethod
    def delegate(cls) -> "Actor":
        return cls(ActorKind.PARTICIPANT)

    @classmethod
    def system(cls) -> "Actor":
        return cls(ActorKind.SYSTEM)

    @classmethod
    def organiser(cls, user: User) -> "Actor":
        return cls(ActorKind.ORGANISER, user=user)

    @classmethod
    def integration(cls, api_key: ApiKey) -> "Actor":
        return cls(ActorKind.INTEGRATION, api_key=api_key)


@dataclass
class _Change:
    """What one transaction did, so counters and messages are written once at the end."""

    now: datetime
    actor: Actor
    sessions: dict[int, Session]
    touched_sessions: set[int] = field(default_factory=set)

    def record(
        self, booking: Booking, action: BookingChange.Action, from_status: str
    ) -> None:
        BookingChange.objects.create(
            booking=booking,
            action=action,
            from_status=from_status,
            to_status=booking.status,
            actor_kind=self.actor.kind,
            actor_user=self.actor.user,
            actor_api_key=self.actor.api_key,
            at=self.now,
        )

    def notify(self, booking: Booking, kind: str, **extra: object) -> None:
        participant = booking.participant
        outbox_enqueue(
            kind=kind,
            to_email=participant.email,
            language=participant.language,
            payload={"booking": booking.pk, **extra},
        )

    def save_counters(self) -> None:
        for session_id in sorted(self.touched_sessions):
            session = self.sessions[session_id]
            Session.objects.filter(pk=session_id).update(
                seats_taken=session.seats_taken
            )


def booking_window_check(*, event: Event, session: Session, now: datetime) -> None:
    """Raise ``BookingClosed``, saying when booking opens or closed, outside the window."""
    zone = event.zone
    if event.booking_opens_at and now < event.booking_opens_at:
        opens = formats.date_format(
            timezone.localtime(event.booking_opens_at, zone), "DATETIME_FORMAT"
        )
        raise BookingClosed(
            _("Booking opens on %(when)s (%(zone)s).")
            % {"when": opens, "zone": event.time_zone},
            extra={"opens_at": event.booking_opens_at.isoformat()},
        )
    closes_at = event.booking_closes_at
    if closes_at is None and not event.is_demo:
        closes_at = session.starts_at
    if closes_at is not None and now >= closes_at:
        closed = formats.date_format(
            timezone.localtime(closes_at, zone), "DATETIME_FORMAT"
        )
        raise BookingClosed(
            _("Booking closed on %(when)s (%(zone)s).")
            % {"when": closed, "zone": event.time_zone},
            extra={"closed_at": closes_at.isoformat()},
        )


def _confirmed_bookings_in(
    participant: Participant, sessions: list[Session]
) -> list[Booking]:
    if not sessions:
        return []
    return list(
        Booking.objects.select_related("participant")
        .filter(
            participant=participant,
            status=BookingStatus.CONFIRMED,
            session_id__in=[s.pk for s in sessions],
        )
        .order_by("pk")
    )


def _release(change: _Change, booking: Booking, action: BookingChange.Action) -> None:
    """Cancel a confirmed booking and free its seat; the caller fills the seat."""
    from_status = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = change.now
    booking.save(update_fields=["status", "cancelled_at"])
    change.record(booking, action, from_status)
    session = change.sessions[booking.session_id]
    session.seats_taken -= 1
    change.touched_sessions.add(session.pk)


def _fill_free_seats(change: _Change, session_ids: list[int]) -> None:
    """Promote waiting delegates into free seats, in the order they joined.

    A promoted delegate gives up the seat they held in an overlapping session
    (waiting means "I would rather have this one"), which frees that seat in
    turn. Each booking moves forward at most twice (waiting to confirmed to
    cancelled), so the cascade ends.
    """
    queue = deque(session_ids)
    group = list(change.sessions.values())
    while queue:
        session = change.sessions[queue.popleft()]
        while session.seats_taken < session.capacity:
            waiting = (
                Booking.objects.select_related("participant")
                .filter(session=session, status=BookingStatus.WAITLISTED)
                .order_by("pk")  # ids are given under the lock: the order of joining
                .first()
            )
            if waiting is None:
                break
            overlapping = sessions_overlapping(session, group)
            for held in _confirmed_bookings_in(waiting.participant, overlapping):
                _release(change, held, BookingChange.Action.RELEASED_FOR_PREFERRED)
                change.notify(held, "booking_released", preferred=waiting.pk)
                queue.append(held.session_id)
            waiting.status = BookingStatus.CONFIRMED
            waiting.confirmed_at = change.now
            waiting.save(update_fields=["status", "confirmed_at"])
            session.seats_taken += 1
            change.touched_sessions.add(session.pk)
            change.record(
                waiting, BookingChange.Action.PROMOTED, BookingStatus.WAITLISTED
            )
            change.notify(waiting, "booking_promoted")


@dataclass(frozen=True)
class IdempotencyClaim:
    """The ``Idempotency-Key`` of an API request: who sent it, the key, and a
    fingerprint of the request, so a reused key with another request is refused."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class QuickBooking:
    """What the one-statement booking did: a booking, or (for a key already
    used by the same request) the answer stored the first time."""

    booking_id: int | None = None
    status: str | None = None
    waitlist_position: int | None = None
    stored_answer: tuple[int, dict] | None = None


def booking_create_quick(
    *,
    participant: Participant,
    event_id: int,
    session_code: str,
    access_needs: list[str],
    access_needs_note: str,
    enforce_window: bool = True,
    idempotency: IdempotencyClaim | None = None,
) -> QuickBooking | None:
    """The common booking in one statement, on PostgreSQL; ``None`` when the
    case needs :func:`booking_create` (or on SQLite), having changed nothing.

    A delegate's booking with nothing of theirs in the way is the whole of a
    flash crowd: run as one statement (majlis/bookings/sql/book_seat_v2.sql),
    the session's lock is held only inside PostgreSQL, never across a round
    trip to a busy Python process (docs/adr/0002-one-statement-booking.md).
    Raises ``TryAgain`` when the lock stays busy.
    """
    if connection.vendor != "postgresql" or participant.event_id != event_id:
        return None
    if any(need not in AccessNeed.values for need in access_needs):
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM majlis_book_seat_v2"
                "(%s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)",
                [
                    participant.pk,
                    event_id,
                    session_code,
                    json.dumps(_checked_access_needs(access_needs)),
                    access_needs_note.strip(),
                    enforce_window,
                    f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms",
                    idempotency.principal if idempotency else None,
                    idempotency.key if idempotency else None,
                    idempotency.fingerprint if idempotency else None,
                ],
            )
            outcome, booking_id, status, position, stored_status, stored_body = (
                cursor.fetchone()
            )
    except OperationalError as error:
        raise TryAgain() from error
    if outcome == "duplicate":
        # Django's PostgreSQL backend hands jsonb over as text, for its own decoder.
        body = json.loads(stored_body) if isinstance(stored_body, str) else stored_body
        return QuickBooking(stored_answer=(stored_status, dict(body or {})))
    if outcome == "booked":
        return QuickBooking(booking_id, status, position)
    return None


def booking_create(
    *,
    participant: Participant,
    session: Session,
    actor: Actor,
    switch: bool = False,
    access_needs: list[str] | None = None,
    access_needs_note: str = "",
    enforce_window: bool = True,
    walk_in: bool = False,
    quick_tried: bool = False,
) -> Booking:
    """Book a seat, or a place on the waiting list when the session is full.

    With ``switch``, a seat held in an overlapping session is released in the
    same transaction if the new session has a seat; if it is full, the
    delegate waits for it and keeps the old seat. Locks the session's overlap
    group. Raises ``NotRegistered``, ``BookingClosed``, ``AlreadyBooked``,
    ``TimeConflict``, ``SessionFull`` or ``TryAgain``. A delegate's own booking
    first tries :func:`booking_create_quick`, unless the caller just did
    (``quick_tried``) and was handed the case back.
    """
    if actor.kind == ActorKind.PARTICIPANT and not walk_in and not quick_tried:
        quick = booking_create_quick(
            participant=participant,
            event_id=session.event_id,
            session_code=session.code,
            access_needs=access_needs or [],
            access_needs_note=access_needs_note,
            enforce_window=enforce_window,
        )
        if quick is not None and quick.booking_id is not None:
            return Booking.objects.select_related("session", "participant").get(
                pk=quick.booking_id
            )
    return _booking_create_locked(
        participant=participant,
        session=session,
        actor=actor,
        switch=switch,
        access_needs=access_needs,
        access_needs_note=access_needs_note,
        enforce_window=enforce_window,
        walk_in=walk_in,
    )


@busy_means_try_again
@transaction.atomic
def _booking_create_locked(
    *,
    participant: Participant,
    session: Session,
    actor: Actor,
    switch: bool,
    access_needs: list[str] | None,
    access_needs_note: str,
    enforce_window: bool,
    walk_in: bool,
) -> Booking:
    if participant.event_id != session.event_id:
        raise NotRegistered()
    # The caller's copy may be seconds old (the API remembers tokens): the
    # messages go to the delegate's address and language as they are now.
    participant = Participant.objects.get(pk=participant.pk)
    sessions = lock_overlap_group(session)
    now = timezone.now()  # after the lock, so times follow the order of changes
    session = sessions[session.pk]
    if enforce_window:
        booking_window_check(event=session.event, session=session, now=now)
    change = _Change(now=now, actor=actor, sessions=sessions)

    existing = (
        Booking.objects.filter(
            participant=participant,
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .only("pk", "status")
        .first()
    )
    if existing is not None:
        raise AlreadyBooked(extra={"booking": existing.pk, "status": existing.status})

    in_the_way = _confirmed_bookings_in(
        participant, sessions_overlapping(session, list(sessions.values()))
    )
    if in_the_way and not switch:
        blocking = in_the_way[0]
        raise TimeConflict(
            extra={
                "booking": blocking.pk,
                "session": sessions[blocking.session_id].code,
            }
        )

    has_seat = session.seats_taken < session.capacity
    if walk_in:
        if now < session.no_show_release_at:
            raise TooEarly(
                _("Seats are given at the door once absent delegates can be released.")
            )
        if not has_seat:
            raise SessionFull(_("There is no free seat left in this session."))
    if not has_seat and not session.has_waitlist:
        raise SessionFull()

    booking = Booking(
        participant=participant,
        session=session,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        created_at=now,
        access_needs=_checked_access_needs(access_needs or []),
        access_needs_note=access_needs_note.strip(),
    )
    if has_seat:
        # Release first: PostgreSQL checks the no-overlap constraint per statement.
        for held in in_the_way:
            _release(change, held, BookingChange.Action.SWITCHED_AWAY)
            change.notify(held, "booking_switched_away", to_session=session.code)
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
        booking.save()
        session.seats_taken += 1
        change.touched_sessions.add(session.pk)
        change.record(
            booking,
            BookingChange.Action.WALK_IN if walk_in else BookingChange.Action.BOOKED,
            "",
        )
        change.notify(booking, "booking_confirmed")
        _fill_free_seats(change, sorted({held.session_id for held in in_the_way}))
    else:
        booking.status = BookingStatus.WAITLISTED
        booking.waitlisted_at = now
        booking.save()
        change.record(booking, BookingChange.Action.WAITLISTED, "")
        change.notify(
            booking, "booking_waitlisted", position=waitlist_position(booking)
        )
    change.save_counters()
    return booking


def _checked_access_needs(needs: list[str]) -> list[str]:
    unknown = [need for need in needs if need not in AccessNeed.values]
    if unknown:
        raise InvalidInput(
            _("Unknown access needs: %(needs)s.") % {"needs": ", ".join(unknown)}
        )
    return [need for need in AccessNeed.values if need in needs]


@busy_means_try_again
@transaction.atomic
def booking_update_access_needs(
    *, booking: Booking, needs: list[str], note: str, actor: Actor
) -> Booking:
    """Change what a delegate needs to take part; recorded in the audit trail.

    Touches no seat, so it locks only the booking's row. Raises ``InvalidInput``
    for an unknown need, ``BookingCancelled`` for a cancelled booking.
    """
    checked = _checked_access_needs(needs)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=booking.pk)
    )
    if booking.status == BookingStatus.CANCELLED:
        raise BookingCancelled()
    booking.access_needs = checked
    booking.access_needs_note = note.strip()[:500]
    booking.save(update_fields=["access_needs", "access_needs_note"])
    change = _Change(now=timezone.now(), actor=actor, sessions={})
    change.record(booking, BookingChange.Action.ACCESS_NEEDS, booking.status)
    return booking


@dataclass
class CheckIn:
    """What the door shows after a check-in attempt."""

    outcome: str  # checked_in, already_checked_in, waitlisted, not_booked
    participant: Participant
    booking: Booking | None
    seats_free: int


@transaction.atomic
def booking_check_in(
    *, session: Session, participant: Participant, actor: Actor
) -> CheckIn:
    """Check a delegate in at the door of ``session``.

    Only a confirmed booking can be checked in; the update applies only while
    ``checked_in_at`` is empty, so a second scan (or two doors at once) learns
    it was already done. Touches no seat, so no session lock is taken.
    """
    booking = (
        Booking.objects.select_related("participant")
        .filter(
            participant=participant,
            session=session,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        )
        .first()
    )
    fresh = Session.objects.only("capacity", "seats_taken").get(pk=session.pk)
    seats_free = max(fresh.capacity - fresh.seats_taken, 0)
    if booking is None:
        return CheckIn("not_booked", participant, None, seats_free)
    if booking.status == BookingStatus.WAITLISTED:
        return CheckIn("waitlisted", participant, booking, seats_free)
    now = timezone.now()
    updated = Booking.objects.filter(pk=booking.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=actor.user
    )
    booking.refresh_from_db(fields=["checked_in_at", "checked_in_by"])
    if not updated:
        return CheckIn("already_checked_in", participant, booking, seats_free)
    _Change(now=now, actor=actor, sessions={}).record(
        booking, BookingChange.Action.CHECKED_IN, booking.status
    )
    return CheckIn("checked_in", participant, booking, seats_free)


@busy_means_try_again
def booking_cancel(
    *, booking: Booking, actor: Actor, enforce_window: bool = True
) -> Booking:
    """Cancel a booking; a freed seat goes to the first waiting delegate at once.

    Cancelling a cancelled booking changes nothing and returns it. Locks the
    session's overlap group. Raises ``BookingClosed`` or ``TryAgain``. Tries
    :func:`booking_cancel_quick` first.
    """
    if booking_cancel_quick(
        booking=booking, actor=actor, enforce_window=enforce_window
    ):
        return Booking.objects.select_related("participant").get(pk=booking.pk)
    return _booking_cancel_locked(
        booking=booking, actor=actor, enforce_window=enforce_window
    )


def booking_cancel_quick(
    *, booking: Booking, actor: Actor, enforce_window: bool = True
) -> bool:
    """The whole cancellation, cascades included, in one statement on
    PostgreSQL; ``False`` when the case needs the locked path (or on SQLite),
    having changed nothing.

    The overlap group's lock is held only inside PostgreSQL, never across the
    round trips of a promotion and its cascade
    (majlis/bookings/sql/cancel_booking_v1.sql,
    docs/adr/0004-one-statement-cancellation.md). Raises ``TryAgain`` when the
    lock stays busy.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT majlis_cancel_booking_v1(%s, %s, %s, %s, %s, %s)",
                [
                    booking.pk,
                    enforce_window,
                    f"{int(settings.MAJLIS_LOCK_TIMEOUT_MS)}ms",
                    actor.kind.value,
                    actor.user.pk if actor.user else None,
                    actor.api_key.pk if actor.api_key else None,
                ],
            )
            (outcome,) = cursor.fetchone()
    except OperationalError as error:
        raise TryAgain() from error
    return bool(outcome == "cancelled")


@busy_means_try_again
@transaction.atomic
def _booking_cancel_locked(
    *, booking: Booking, actor: Actor, enforce_window: bool
) -> Booking:
    sessions = lock_overlap_group(booking.session)
    now = timezone.now()
    booking = Booking.objects.select_related("participant").get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    session = sessions[booking.session_id]
    if enforce_window:
        booking_window_check(event=session.event, session=session, now=now)
    change = _Change(now=now, actor=actor, sessions=sessions)
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    if was_confirmed:
        _release(change, booking, BookingChange.Action.CANCELLED)
    else:
        from_status = booking.status
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        change.record(booking, BookingChange.Action.CANCELLED, from_status)
    change.notify(booking, "booking_cancelled")
    if was_confirmed:
        _fill_free_seats(change, [session.pk])
    change.save_counters()
    return booking


@busy_means_try_again
@transaction.atomic
def session_set_capacity(*, session: Session, capacity: int, actor: Actor) -> Session:
    """Change a session's capacity; raising it promotes from the waiting list at once.

    Raises ``CapacityBelowConfirmed`` rather than cancel anybody's seat.
    """
    if capacity < 1:
        raise InvalidInput(_("The capacity must be at least 1."))
    sessions = lock_overlap_group(session)
    session = sessions[session.pk]
    if capacity < session.seats_taken:
        raise CapacityBelowConfirmed(
            ngettext_lazy(
                "The capacity cannot be lower than the %(count)d confirmed booking; "
                "cancel bookings first.",
                "The capacity cannot be lower than the %(count)d confirmed bookings; "
                "cancel bookings first.",
                session.seats_taken,
            )
            % {"count": session.seats_taken}
        )
    session.capacity = capacity
    Session.objects.filter(pk=session.pk).update(capacity=capacity)
    change = _Change(now=timezone.now(), actor=actor, sessions=sessions)
    _fill_free_seats(change, [session.pk])
    change.save_counters()
    return session


@busy_means_try_again
@transaction.atomic
def session_move(
    *, session: Session, starts_at: datetime, ends_at: datetime, actor: Actor
) -> Session:
    """Change a session's times; its bookings' copies of the times move with it.

    Locks the session's overlap group before and after the move. Raises
    ``InvalidInput`` if it would end before it starts, and
    ``SessionMoveConflict`` if a delegate would then hold two seats at the same
    time (nobody's seat is cancelled behind their back).
    """
    if ends_at <= starts_at:
        raise InvalidInput(_("A session must end after it starts."))
    lock_event_schedule(session.event_id)
    sessions = lock_overlap_group(session, moved_to=(starts_at, ends_at))
    session = sessions[session.pk]
    session.starts_at, session.ends_at = starts_at, ends_at
    count = delegates_double_booked_by_move(
        session=session, others=sessions_overlapping(session, list(sessions.values()))
    )
    if count:
        raise SessionMoveConflict(
            ngettext_lazy(
                "%(count)d delegate booked here holds a seat in another session at "
                "the new time.",
                "%(count)d delegates booked here hold a seat in another session at "
                "the new time.",
                "count",
            )
            % {"count": count},
            extra={"delegates": count},
        )
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=ends_at, schedule_version=F("schedule_version") + 1
    )
    Booking.objects.filter(session=session).update(starts_at=starts_at, ends_at=ends_at)
    change = _Change(now=timezone.now(), actor=actor, sessions=sessions)
    for booking in Booking.objects.select_related("participant").filter(
        session=session, status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]
    ):
        change.notify(booking, "booking_moved", status=booking.status)
    session.refresh_from_db()
    return session


@busy_means_try_again
@transaction.atomic
def session_release_no_shows(*, session: Session, actor: Actor) -> list[Booking]:
    """Give the seats of confirmed delegates who have not checked in to the
    waiting list, from ``no_show_release_minutes`` after the start.

    The released bookings are cancelled (audited as released, with who did
    it) and the freed seats are filled from the waiting list in the same
    transaction; the seats left over go to walk-ins. Raises ``TooEarly``
    before the release time.
    """
    sessions = lock_overlap_group(session)
    session = sessions[session.pk]
    now = timezone.now()
    if now < session.no_show_release_at:
        opens = formats.date_format(
            timezone.localtime(session.no_show_release_at, session.event.zone),
            "DATETIME_FORMAT",
        )
        raise TooEarly(
            _("The seats of absent delegates can be released from %(when)s.")
            % {"when": opens}
        )
    change = _Change(now=now, actor=actor, sessions=sessions)
    absent = list(
        Booking.objects.select_related("participant")
        .filter(
            session=session, status=BookingStatus.CONFIRMED, checked_in_at__isnull=True
        )
        .order_by("pk")
    )
    for booking in absent:
        _release(change, booking, BookingChange.Action.RELEASED_NO_SHOW)
        change.notify(booking, "booking_cancelled")
    _fill_free_seats(change, [session.pk])
    change.save_counters()
    return absent


@busy_means_try_again
@transaction.atomic
def booking_walk_in(
    *, session: Session, participant: Participant, actor: Actor
) -> Booking:
    """Give a free seat at the door to a registered delegate who has no booking,
    and check them in, once no-shows may be released (before that, the seats
    still belong to those who booked). Raises ``TooEarly``, ``SessionFull``,
    ``AlreadyBooked`` or ``TimeConflict``."""
    booking = booking_create(
        participant=participant,
        session=session,
        actor=actor,
        enforce_window=False,
        walk_in=True,
    )
    booking_check_in(session=session, participant=participant, actor=actor)
    booking.refresh_from_db()
    return booking


@busy_means_try_again
@transaction.atomic
def booking_move(*, booking: Booking, to_session: Session, actor: Actor) -> Booking:
    """Move a delegate's booking to another session of the event, on their behalf.

    If the other session has a seat, the delegate takes it and the old booking
    is cancelled (its seat goes to the first person waiting there); if it is
    full, they wait for it and keep what they hold. Locks both overlap groups
    first, in primary-key order. Raises what ``booking_create`` raises.
    """
    lock_sessions(
        set(overlap_group_ids(booking.session)) | set(overlap_group_ids(to_session))
    )
    moved = booking_create(
        participant=booking.participant,
        session=to_session,
        actor=actor,
        switch=True,
        enforce_window=False,
        access_needs=list(booking.access_needs),
        access_needs_note=booking.access_needs_note,
    )
    if moved.status == BookingStatus.CONFIRMED:
        old = Booking.objects.get(pk=booking.pk)
        if old.status != BookingStatus.CANCELLED:
            booking_cancel(booking=old, actor=actor, enforce_window=False)
    return moved
