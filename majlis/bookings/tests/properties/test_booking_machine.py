"""A state machine of many delegates booking, cancelling, switching, being
checked in and released as no-shows while organisers change capacities and
time passes, every step through the domain services and checked against the plain model
of test_booking_model.py and against the invariants: capacity never
exceeded, no two confirmed seats of a delegate at once, waiting lists served
in the order of joining whenever a seat frees, the counters equal to the
rows, one audit row per change. Runs on whichever database the suite runs on.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from majlis.bookings.models import Booking, BookingChange, BookingStatus
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_check_in,
    booking_create,
    session_release_no_shows,
    session_set_capacity,
)
from majlis.core.exceptions import MajlisError
from majlis.events.models import Session
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

from .test_booking_model import Model

# Minutes from now: start, end, waiting list. A overlaps B and E, B overlaps
# E, C overlaps A only (B and C touch); D stands alone, later. Seats of the
# sessions that began at least NO_SHOW_MINUTES ago (A, B, E) may be released.
LAYOUT = {
    "A": (-20, 60, True),
    "B": (-15, 30, True),
    "C": (30, 90, False),
    "D": (100, 160, True),
    "E": (-25, 10, True),
}
NO_SHOW_MINUTES = 10
STARTED_WITH_WAITLIST = sorted(
    name
    for name, (start, _end, waitlist) in LAYOUT.items()
    if waitlist and start <= -NO_SHOW_MINUTES
)
PEOPLE = 10


@dataclass
class DoorModel(Model):
    """The booking model, with the door: who is checked in, and the release of
    the seats of those who are not, given before time last passed (a seat
    given since, from the waiting list or booked, has had less than
    NO_SHOW_MINUTES: it stays)."""

    checked_in: set[tuple[int, str]] = field(default_factory=set)
    settled: set[tuple[int, str]] = field(default_factory=set)

    def check_in(self, person: int, session: str) -> str:
        if person in self.waiting[session]:
            return "waitlisted"
        if person not in self.confirmed[session]:
            return "not_booked"
        if (person, session) in self.checked_in:
            return "already_checked_in"
        self.checked_in.add((person, session))
        return "checked_in"

    def release_no_shows(self, session: str) -> str:
        if self.layout[session][0] > -NO_SHOW_MINUTES:
            return "too_early"
        for person in list(self.confirmed[session]):
            if (person, session) in self.settled - self.checked_in:
                self.confirmed[session].remove(person)
        self.fill([session])
        return "released"

    def time_passes(self) -> None:
        """NO_SHOW_MINUTES later: every seat held now may be released."""
        self.settled = {
            (person, session)
            for session, people in self.confirmed.items()
            for person in people
        }

    def forget_seats_gone(self) -> None:
        """A check-in and a seat's age belong to the seat: cancelled, switched
        away or released, they go with it (a seat booked again is a new
        booking)."""
        self.checked_in = {
            (person, session)
            for person, session in self.checked_in
            if person in self.confirmed[session]
        }
        self.settled = {
            (person, session)
            for person, session in self.settled
            if person in self.confirmed[session]
        }


class BookingMachine(RuleBasedStateMachine):
    """Each run starts from an empty event in a transaction rolled back at its end."""

    def __init__(self) -> None:
        super().__init__()
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        self.event = EventFactory(is_demo=True)  # booking stays open once begun
        now = timezone.now()
        self.sessions: dict[str, Session] = {
            name: SessionFactory(
                event=self.event,
                code=name.lower(),
                starts_at=now + timedelta(minutes=start),
                ends_at=now + timedelta(minutes=end),
                capacity=1,
                has_waitlist=waitlist,
                no_show_release_minutes=NO_SHOW_MINUTES,
            )
            for name, (start, end, waitlist) in LAYOUT.items()
        }
        self.people = ParticipantFactory.create_batch(PEOPLE, event=self.event)
        self.index = {person.pk: number for number, person in enumerate(self.people)}
        self.door = Actor.organiser(
            User.objects.create_user(f"door-{self.event.pk}", password="pw-123-long")
        )
        self.model: DoorModel | None = None
        self.audit_rows = 0
        self.seen: dict[int, tuple[str, bool]] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._transaction.__exit__(None, None, None)

    @initialize(
        capacities=st.tuples(*[st.integers(1, 3) for _ in LAYOUT]),
        crowd=st.permutations(range(PEOPLE)),
        crowded=st.sampled_from(STARTED_WITH_WAITLIST),
        waiting=st.integers(1, 3),
    )
    def a_full_house(
        self,
        capacities: tuple[int, ...],
        crowd: list[int],
        crowded: str,
        waiting: int,
    ) -> None:
        """Sizes every session, then fills one that has begun and has a
        waiting list, with people waiting, and lets time pass: from the first
        step a release there frees seats with someone waiting for them (from
        an empty event, none of 71 releases in 20 runs had someone waiting, so
        a model that gave released seats to nobody went unnoticed)."""
        for session, capacity in zip(self.sessions.values(), capacities, strict=True):
            Session.objects.filter(pk=session.pk).update(capacity=capacity)
            session.capacity = capacity
        self.model = DoorModel(
            capacity=dict(zip(LAYOUT, capacities, strict=True)), layout=LAYOUT
        )
        for person in crowd[: self.model.capacity[crowded] + waiting]:
            self._book(person, crowded, switch=False)
        self.time_passes()

    def _booking(self, person: int, session: str) -> Booking | None:
        return Booking.objects.filter(
            participant=self.people[person],
            session=self.sessions[session],
            status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
        ).first()

    def _settle(self, expected: str, got: str, step: str) -> None:
        assert self.model is not None
        self.model.forget_seats_gone()
        assert got == expected, step
        self._check_audit(step)

    @rule(
        person=st.integers(0, PEOPLE - 1),
        session=st.sampled_from(sorted(LAYOUT)),
        switch=st.booleans(),
    )
    def book(self, person: int, session: str, switch: bool) -> None:
        self._book(person, session, switch)

    def _book(self, person: int, session: str, switch: bool) -> None:
        assert self.model is not None
        expected = self.model.book(person, session, switch)
        try:
            got = booking_create(
                participant=self.people[person],
                session=self.sessions[session],
                actor=Actor.delegate(),
                switch=switch,
            ).status
        except MajlisError as error:
            got = error.code
        self._settle(expected, got, f"book {person} {session} switch={switch}")

    @rule(person=st.integers(0, PEOPLE - 1), session=st.sampled_from(sorted(LAYOUT)))
    def cancel(self, person: int, session: str) -> None:
        assert self.model is not None
        expected = self.model.cancel(person, session)
        booking = self._booking(person, session)
        got = (
            booking_cancel(booking=booking, actor=Actor.delegate()).status
            if booking
            else "cancelled"
        )
        self._settle(expected, got, f"cancel {person} {session}")

    @rule(session=st.sampled_from(sorted(LAYOUT)), capacity=st.integers(1, 4))
    def change_capacity(self, session: str, capacity: int) -> None:
        assert self.model is not None
        expected = self.model.set_capacity(session, capacity)
        try:
            session_set_capacity(
                session=self.sessions[session], capacity=capacity, actor=self.door
            )
            got = "ok"
        except MajlisError as error:
            got = error.code
        self._settle(expected, got, f"capacity {session} {capacity}")

    @rule(person=st.integers(0, PEOPLE - 1), session=st.sampled_from(sorted(LAYOUT)))
    def check_in(self, person: int, session: str) -> None:
        assert self.model is not None
        expected = self.model.check_in(person, session)
        got = booking_check_in(
            session=self.sessions[session],
            participant=self.people[person],
            actor=self.door,
        ).outcome
        self._settle(expected, got, f"check in {person} {session}")

    @rule(session=st.sampled_from(sorted(LAYOUT)))
    def release_no_shows(self, session: str) -> None:
        assert self.model is not None
        expected = self.model.release_no_shows(session)
        try:
            session_release_no_shows(session=self.sessions[session], actor=self.door)
            got = "released"
        except MajlisError as error:
            got = error.code
        self._settle(expected, got, f"release no-shows {session}")

    @rule(session=st.sampled_from(STARTED_WITH_WAITLIST))
    def release_twice(self, session: str) -> None:
        """A second release at once (a double click, two doors): the seats
        the first gave from the waiting list stay."""
        self.release_no_shows(session)
        self.release_no_shows(session)

    @rule()
    def time_passes(self) -> None:
        """Every seat given so far ages by NO_SHOW_MINUTES: the bookings' times
        move back by as much (the timetable stays, as the model's layout)."""
        assert self.model is not None
        made_earlier(
            Booking.objects.filter(session__event=self.event),
            by=timedelta(minutes=NO_SHOW_MINUTES),
        )
        self.model.time_passes()

    def _check_audit(self, step: str) -> None:
        """One audit row for each booking made, each change of status and each
        check-in of this step, and every booking's last row saying its status."""
        now = {
            pk: (status, checked_in is not None)
            for pk, status, checked_in in Booking.objects.filter(
                session__event=self.event
            ).values_list("pk", "status", "checked_in_at")
        }
        changes = 0
        for pk, (status, checked_in) in now.items():
            before = self.seen.get(pk)
            if before is None:
                changes += 1 + checked_in
            else:
                changes += (status != before[0]) + (checked_in and not before[1])
        rows = BookingChange.objects.filter(booking__session__event=self.event)
        assert rows.count() - self.audit_rows == changes, step
        self.audit_rows += changes
        self.seen = now
        latest: dict[int, str] = {}
        for booking_id, to_status in rows.order_by("at", "pk").values_list(
            "booking_id", "to_status"
        ):
            latest[booking_id] = to_status
        assert latest == {pk: status for pk, (status, _in) in now.items()}, step

    @invariant()
    def the_database_is_the_model(self) -> None:
        if self.model is None:
            return
        model = self.model
        checked_in: set[tuple[int, str]] = set()
        for name, session in self.sessions.items():
            session.refresh_from_db()
            rows = list(
                Booking.objects.filter(session=session)
                .exclude(status=BookingStatus.CANCELLED)
                .order_by("waitlisted_at", "pk")
            )
            confirmed = [
                self.index[b.participant_id]
                for b in rows
                if b.status == BookingStatus.CONFIRMED
            ]
            waiting = [
                self.index[b.participant_id]
                for b in rows
                if b.status == BookingStatus.WAITLISTED
            ]
            checked_in |= {
                (self.index[b.participant_id], name)
                for b in rows
                if b.status == BookingStatus.CONFIRMED and b.checked_in_at
            }
            assert sorted(confirmed) == sorted(model.confirmed[name]), name
            assert waiting == model.waiting[name], f"{name}: not in order of joining"
            assert len(confirmed) <= session.capacity, f"{name} is oversold"
            assert session.seats_taken == len(confirmed), f"{name}: seats counter"
            assert session.waitlist_length == len(waiting), f"{name}: waiting counter"
            assert not waiting or len(confirmed) == session.capacity, (
                f"{name}: a seat is free while someone waits"
            )
        assert checked_in == model.checked_in
        for number, person in enumerate(self.people):
            held = [
                name
                for name in LAYOUT
                if number in model.confirmed[name]
                and Booking.objects.filter(
                    participant=person,
                    session=self.sessions[name],
                    status=BookingStatus.CONFIRMED,
                ).exists()
            ]
            assert not any(model.overlaps(x, y) for x in held for y in held), held


MACHINE_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db
# The booking rules, not the rate limits: a few delegates make every change.
@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="off", MAJLIS_LIMIT_DOOR_LOOKUPS="off")
def test_the_services_keep_every_rule_whatever_happens():
    run_state_machine_as_test(BookingMachine, settings=MACHINE_SETTINGS)


@pytest.mark.django_db
@override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="off", MAJLIS_LIMIT_DOOR_LOOKUPS="off")
def test_the_machine_finds_a_rule_broken(monkeypatch):
    """The control: with a model that gives a released seat to nobody, where
    the services promote the first person waiting, the machine fails."""

    def release_without_promoting(model: DoorModel, session: str) -> str:
        if model.layout[session][0] > -NO_SHOW_MINUTES:
            return "too_early"
        for person in list(model.confirmed[session]):
            if (person, session) in model.settled - model.checked_in:
                model.confirmed[session].remove(person)
        return "released"

    monkeypatch.setattr(DoorModel, "release_no_shows", release_without_promoting)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            BookingMachine,
            # Found is enough: no shrinking, each try of which is a whole run.
            settings=settings(
                MACHINE_SETTINGS, max_examples=100, phases=[Phase.generate]
            ),
        )
