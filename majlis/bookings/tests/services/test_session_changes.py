"""Changing a session's capacity or times goes through the booking services."""

from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import User

from majlis.bookings.locking import overlap_group_ids
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create, session_move
from majlis.core.exceptions import InvalidInput, SessionMoveConflict
from majlis.events.models import Session
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()


def later(session: Session, hours: float) -> dict:
    return {
        "starts_at": session.starts_at + timedelta(hours=hours),
        "ends_at": session.ends_at + timedelta(hours=hours),
    }


def test_overlap_groups_follow_chains_of_overlaps(event):
    a = SessionFactory(event=event)
    b = SessionFactory(event=event, **later(a, 1))
    c = SessionFactory(event=event, **later(a, 2))  # touches a, overlaps b
    d = SessionFactory(event=event, **later(a, 5))
    assert overlap_group_ids(a) == overlap_group_ids(c) == sorted([a.pk, b.pk, c.pk])
    assert overlap_group_ids(d) == [d.pk]
    assert overlap_group_ids(d, moved_to=(c.starts_at, c.ends_at)) == sorted(
        [a.pk, b.pk, c.pk, d.pk]
    )


def test_moving_a_session_moves_its_bookings(event):
    session = SessionFactory(event=event)
    person = ParticipantFactory(event=event)
    booking = booking_create(
        participant=person, session=session, actor=Actor.delegate()
    )
    new = later(session, 24)
    session_move(session=session, actor=Actor.system(), **new)
    session.refresh_from_db()
    booking.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (new["starts_at"], new["ends_at"])
    assert (booking.starts_at, booking.ends_at) == (new["starts_at"], new["ends_at"])


def test_a_move_that_would_give_a_delegate_two_seats_at_once_is_refused(event):
    session = SessionFactory(event=event)
    other = SessionFactory(event=event, **later(session, 24))
    person = ParticipantFactory(event=event)
    for target in (session, other):
        booking_create(participant=person, session=target, actor=Actor.delegate())
    with pytest.raises(SessionMoveConflict) as raised:
        session_move(
            session=other,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            actor=Actor.system(),
        )
    assert raised.value.extra == {"delegates": 1}
    other.refresh_from_db()
    assert other.starts_at == session.starts_at + timedelta(hours=24)
    assert Booking.objects.filter(session=other, starts_at=other.starts_at).count() == 1


def test_a_session_cannot_end_before_it_starts(event):
    session = SessionFactory(event=event)
    with pytest.raises(InvalidInput):
        session_move(
            session=session,
            starts_at=session.ends_at,
            ends_at=session.starts_at,
            actor=Actor.system(),
        )


def test_saving_a_session_read_earlier_keeps_the_seats_taken(event):
    """A full save from a stale object (the admin, a script) must not turn the
    counter back: the bookings made meanwhile would be forgotten."""
    session = SessionFactory(event=event, capacity=2)
    stale = Session.objects.get(pk=session.pk)
    booking_create(
        participant=ParticipantFactory(event=event),
        session=session,
        actor=Actor.delegate(),
    )
    stale.room_en = "Menara"
    stale.save()
    session.refresh_from_db()
    assert (session.room_en, session.seats_taken) == ("Menara", 1)


def admin_change(client, session, **changes):
    """POST the admin's change form of ``session`` as shown, with ``changes``."""
    url = f"/admin/events/session/{session.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    inline_data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        inline_data.update(
            {
                f"{management.prefix}-{name}": value
                for name, value in management.initial.items()
            }
        )
        for number, child in enumerate(formset.forms):
            inline_data[f"{formset.prefix}-{number}-id"] = child.instance.pk
            inline_data[f"{formset.prefix}-{number}-session"] = session.pk
    data = {
        name: form.initial.get(name) if form.initial.get(name) is not None else ""
        for name in form.fields
    }
    data["organisers"] = '["ILO"]'
    for name in ("starts_at", "ends_at"):
        moment = changes.pop(name, getattr(session, name)).astimezone(UTC)
        data.pop(name, None)
        data[f"{name}_0"] = moment.strftime("%Y-%m-%d")
        data[f"{name}_1"] = moment.strftime("%H:%M:%S")
    data.update(changes)
    return client.post(url, {**data, **inline_data})


@pytest.fixture
def organiser(client):
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw-boss-123")
    client.force_login(admin)
    return admin


def test_the_admin_routes_capacity_and_times_through_the_services(
    event, client, organiser
):
    session = SessionFactory(event=event, capacity=1)
    first, second = ParticipantFactory.create_batch(2, event=event)
    booking_create(participant=first, session=session, actor=Actor.delegate())
    waiting = booking_create(
        participant=second, session=session, actor=Actor.delegate()
    )
    moved = later(session, 24)

    response = admin_change(client, session, capacity=2, room_en="Bahia", **moved)

    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    waiting.refresh_from_db()
    assert (session.capacity, session.seats_taken, session.room_en) == (2, 2, "Bahia")
    assert session.starts_at == moved["starts_at"]
    assert waiting.status == "confirmed"
    assert waiting.starts_at == moved["starts_at"]
    change = waiting.changes.last()
    assert (change.actor_kind, change.actor_user) == ("organiser", organiser)


def test_the_admin_form_refuses_a_capacity_below_the_confirmed_seats(
    event, client, organiser
):
    session = SessionFactory(event=event, capacity=3)
    for person in ParticipantFactory.create_batch(2, event=event):
        booking_create(participant=person, session=session, actor=Actor.delegate())

    response = admin_change(client, session, capacity=1, room_en="Bahia")

    assert response.status_code == 200
    assert "lower than the 2 confirmed bookings" in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.room_en) == (3, "Atlas 1")


def test_the_admin_form_refuses_a_move_onto_a_delegates_other_seat(
    event, client, organiser
):
    session = SessionFactory(event=event)
    other = SessionFactory(event=event, **later(session, 24))
    person = ParticipantFactory(event=event)
    for target in (session, other):
        booking_create(participant=person, session=target, actor=Actor.delegate())

    response = admin_change(
        client, other, starts_at=session.starts_at, ends_at=session.ends_at
    )

    assert response.status_code == 200
    assert "1 delegate booked here holds a seat" in response.content.decode()
    other.refresh_from_db()
    assert other.starts_at == session.starts_at + timedelta(hours=24)


def test_the_admin_shows_the_roster_and_access_need_counts(event, client, organiser):
    session = SessionFactory(event=event, capacity=2)
    people = ParticipantFactory.create_batch(3, event=event)
    booking_create(
        participant=people[0],
        session=session,
        actor=Actor.delegate(),
        access_needs=["wheelchair"],
        access_needs_note="Ramp at the door",
    )
    booking_create(
        participant=people[1],
        session=session,
        actor=Actor.delegate(),
        access_needs=["wheelchair", "captioning"],
    )
    booking_create(
        participant=people[2],
        session=session,
        actor=Actor.delegate(),
        access_needs=["sign_language"],
    )  # waiting: not counted

    page = client.get(f"/admin/events/session/{session.pk}/change/").content.decode()

    assert (
        "Wheelchair access: 2; Sign language interpretation: 0; Captioning: 1" in page
    )
    assert "Ramp at the door" in page
    assert all(person.name in page for person in people)
