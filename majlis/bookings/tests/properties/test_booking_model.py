"""Random sequences of book, switch, cancel and capacity changes, checked step by
step against a plain-Python model of the rules, and against the invariants."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    session_set_capacity,
)
from majlis.core.exceptions import MajlisError
from majlis.events.models import Session
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

# Hours from a common origin: A overlaps B, B overlaps C, A and C only touch,
# D stands alone. C keeps no waiting list.
LAYOUT = {"A": (0, 2, True), "B": (1, 3, True), "C": (2, 4, False), "D": (5, 6, True)}
PEOPLE = 3


def overlaps(x: str, y: str) -> bool:
    return x != y and LAYOUT[x][0] < LAYOUT[y][1] and LAYOUT[y][0] < LAYOUT[x][1]


@dataclass
class Model:
    """The rules of the issue, written as plainly as possible, over a layout of
    sessions (name: start hour, end hour, whether it keeps a waiting list)."""

    capacity: dict[str, int]
    layout: dict[str, tuple] = field(default_factory=lambda: LAYOUT)
    confirmed: dict[str, list[int]] = field(default_factory=dict)
    waiting: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.layout:
            self.confirmed.setdefault(name, [])
            self.waiting.setdefault(name, [])

    def overlaps(self, x: str, y: str) -> bool:
        (x_start, x_end, *_), (y_start, y_end, *_) = self.layout[x], self.layout[y]
        return x != y and x_start < y_end and y_start < x_end

    def holds(self, person: int) -> list[str]:
        return [s for s in self.layout if person in self.confirmed[s]]

    def book(self, person: int, session: str, switch: bool) -> str:
        if person in self.confirmed[session] or person in self.waiting[session]:
            return "already_booked"
        in_the_way = [s for s in self.holds(person) if self.overlaps(s, session)]
        if in_the_way and not switch:
            return "time_conflict"
        if len(self.confirmed[session]) < self.capacity[session]:
            for other in in_the_way:
                self.confirmed[other].remove(person)
            self.confirmed[session].append(person)
            self.fill(in_the_way)
            return "confirmed"
        if not self.layout[session][2]:
            return "session_full"
        self.waiting[session].append(person)
        return "waitlisted"

    def cancel(self, person: int, session: str) -> str:
        if person in self.waiting[session]:
            self.waiting[session].remove(person)
        elif person in self.confirmed[session]:
            self.confirmed[session].remove(person)
            self.fill([session])
        return "cancelled"

    def set_capacity(self, session: str, capacity: int) -> str:
        if capacity < len(self.confirmed[session]):
            return "capacity_below_confirmed"
        self.capacity[session] = capacity
        self.fill([session])
        return "ok"

    def fill(self, sessions: list[str]) -> None:
        queue = list(sessions)
        while queue:
            session = queue.pop(0)
            while (
                len(self.confirmed[session]) < self.capacity[session]
                and self.waiting[session]
            ):
                person = self.waiting[session].pop(0)
                for other in self.holds(person):
                    if self.overlaps(other, session):
                        self.confirmed[other].remove(person)
                        queue.append(other)
                self.confirmed[session].append(person)


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("book"),
            st.integers(0, PEOPLE - 1),
            st.sampled_from(sorted(LAYOUT)),
            st.booleans(),
        ),
        st.tuples(
            st.just("cancel"),
            st.integers(0, PEOPLE - 1),
            st.sampled_from(sorted(LAYOUT)),
        ),
        st.tuples(
            st.just("capacity"), st.sampled_from(sorted(LAYOUT)), st.integers(1, 3)
        ),
    ),
    min_size=1,
    max_size=30,
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from an empty event and leaves nothing behind."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
# The booking rules, not the rate limits: a few delegates make every change.
@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="off")
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, capacities=st.tuples(*[st.integers(1, 2) for _ in LAYOUT]))
# Two stories every run includes, whatever the random draw: the waiting list
# is served in the order of joining, and a promotion releases the seat held
# at the same time, which promotes the next person there.
@example(
    ops=[
        ("book", 0, "A", False),
        ("book", 1, "A", False),
        ("book", 2, "A", False),
        ("cancel", 0, "A"),
    ],
    capacities=(1, 1, 1, 1),
)
@example(
    ops=[
        ("book", 0, "B", False),
        ("book", 1, "A", False),
        ("book", 0, "A", True),
        ("book", 2, "B", False),
        ("cancel", 1, "A"),
    ],
    capacities=(1, 1, 1, 1),
)
def test_services_agree_with_the_model(ops, capacities):
    with rolled_back():
        event = EventFactory()
        origin = afternoon()
        sessions: dict[str, Session] = {}
        for (name, (start, end, waitlist)), capacity in zip(
            LAYOUT.items(), capacities, strict=True
        ):
            sessions[name] = SessionFactory(
                event=event,
                code=name.lower(),
                starts_at=origin + timedelta(hours=start),
                ends_at=origin + timedelta(hours=end),
                capacity=capacity,
                has_waitlist=waitlist,
            )
        people = ParticipantFactory.create_batch(PEOPLE, event=event)
        model = Model(capacity=dict(zip(LAYOUT, capacities, strict=True)))
        actor = Actor.delegate()

        for op in ops:
            if op[0] == "book":
                _, person, name, switch = op
                expected = model.book(person, name, switch)
                try:
                    got = booking_create(
                        participant=people[person],
                        session=sessions[name],
                        actor=actor,
                        switch=switch,
                    ).status
                except MajlisError as error:
                    got = error.code
            elif op[0] == "cancel":
                _, person, name = op
                expected = model.cancel(person, name)
                active = Booking.objects.filter(
                    participant=people[person],
                    session=sessions[name],
                    status__in=["confirmed", "waitlisted"],
                ).first()
                got = (
                    booking_cancel(booking=active, actor=actor).status
                    if active
                    else "cancelled"
                )
            else:
                _, name, capacity = op
                expected = model.set_capacity(name, capacity)
                try:
                    session_set_capacity(
                        session=sessions[name], capacity=capacity, actor=actor
                    )
                    got = "ok"
                except MajlisError as error:
                    got = error.code
            assert got == expected, op
            assert_state_matches(model, sessions, people)


def assert_state_matches(model: Model, sessions, people) -> None:
    index = {p.pk: i for i, p in enumerate(people)}
    for name, session in sessions.items():
        session.refresh_from_db()
        rows = Booking.objects.filter(session=session)
        confirmed = sorted(
            index[b.participant_id] for b in rows if b.status == BookingStatus.CONFIRMED
        )
        waiting = [
            index[b.participant_id]
            for b in rows.filter(status=BookingStatus.WAITLISTED).order_by(
                "waitlisted_at", "pk"
            )
        ]
        assert confirmed == sorted(model.confirmed[name]), name
        assert waiting == model.waiting[name], name
        assert session.seats_taken == len(confirmed) <= session.capacity
        assert session.waitlist_length == len(waiting), "the waiting counter drifted"
        assert not waiting or len(confirmed) == session.capacity, (
            "a seat is free while someone waits"
        )
    for person in people:
        held = [
            b.session.code.upper()
            for b in Booking.objects.filter(
                participant=person, status="confirmed"
            ).select_related("session")
        ]
        assert not any(overlaps(x, y) for x in held for y in held), held
