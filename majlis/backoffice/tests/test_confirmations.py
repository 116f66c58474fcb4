"""What staff do on someone's behalf and cannot undo asks first, says what
will happen, and is done only by the confirmation's button; the back office
says who is signed in."""

import pytest
from django.contrib.auth.models import User

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db
ROSTER = "/en/backoffice/casa/s/talk/roster/"


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def talk(event):
    return SessionFactory(
        event=event, code="talk", title_en="Future of work", capacity=1
    )


@pytest.fixture
def lab(event):
    return SessionFactory(
        event=event,
        code="lab",
        title_en="Policy lab",
        capacity=1,
        starts_at=afternoon(days_from_now=33),
        ends_at=afternoon(33, 18),
    )


@pytest.fixture
def amina(event, talk):
    amina = ParticipantFactory(event=event, name="Amina Benali")
    booking_create(participant=amina, session=talk, actor=Actor.delegate())
    return Booking.objects.get(participant=amina)


@pytest.fixture
def organiser(client, event, talk, lab):
    user = User.objects.create_user(
        "org", "org@example.org", "pw-123-long", first_name="Omar", last_name="Idrissi"
    )
    role = StaffRole.objects.create(user=user, event=event, role="organiser")
    role.sessions.add(talk, lab)
    client.force_login(user)
    return user


def test_cancelling_on_a_delegates_behalf_asks_first(
    client, organiser, amina, event, talk
):
    waiting = booking_create(
        participant=ParticipantFactory(event=event),
        session=talk,
        actor=Actor.delegate(),
    )
    cancel = f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/cancel/"
    roster = client.get(ROSTER).content.decode()
    assert f'action="{cancel}"' in roster

    for shown in (client.get(cancel), client.post(cancel)):
        page = shown.content.decode()
        assert shown.status_code == 200
        assert "Cancel the booking of <bdi>Amina Benali</bdi>?" in page
        assert (
            'The seat of <bdi>Amina Benali</bdi> in "<bdi>Future of work</bdi>" is '
            "released: the first person on the waiting list gets it" in page
        )
        assert '<input type="hidden" name="confirm" value="1">' in page
        assert "Yes, cancel the booking" in page
        amina.refresh_from_db()
        assert amina.status == BookingStatus.CONFIRMED

    done = client.post(cancel, {"confirm": "1"}, follow=True).content.decode()
    assert "The booking of <bdi>Amina Benali</bdi> is cancelled." in done
    amina.refresh_from_db()
    waiting.refresh_from_db()
    assert (amina.status, waiting.status) == ("cancelled", "confirmed")


def test_cancelling_a_place_in_line_says_so(client, organiser, amina, event, talk):
    waiting = booking_create(
        participant=ParticipantFactory(event=event, name="Claire Dubois"),
        session=talk,
        actor=Actor.delegate(),
    )
    page = client.get(
        f"/en/backoffice/casa/s/talk/bookings/{waiting.pk}/cancel/"
    ).content.decode()
    assert (
        '<bdi>Claire Dubois</bdi> leaves the waiting list of "<bdi>Future of work'
        '</bdi>", where they are number 1 in line.' in page
    )


def test_moving_on_a_delegates_behalf_asks_first_and_says_where_the_seat_goes(
    client, organiser, amina, lab
):
    move = f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/move/"

    asked = client.post(move, {"to_session": lab.pk}).content.decode()
    assert "Move <bdi>Amina Benali</bdi> to another session?" in asked
    assert '<bdi>Amina Benali</bdi> gets a seat in "<bdi>Policy lab</bdi>".' in asked
    assert 'Their seat in "<bdi>Future of work</bdi>" is released' in asked
    assert f'<input type="hidden" name="to_session" value="{lab.pk}">' in asked
    assert not Booking.objects.filter(session=lab).exists()
    amina.refresh_from_db()
    assert amina.status == BookingStatus.CONFIRMED

    done = client.post(
        move, {"to_session": lab.pk, "confirm": "1"}, follow=True
    ).content.decode()
    assert "<bdi>Amina Benali</bdi> now has a seat in <bdi>Policy lab</bdi>." in done
    assert Booking.objects.get(session=lab).status == BookingStatus.CONFIRMED
    amina.refresh_from_db()
    assert amina.status == BookingStatus.CANCELLED


def test_moving_into_a_full_session_says_the_delegate_waits_and_keeps_the_seat(
    client, organiser, amina, event, lab
):
    booking_create(
        participant=ParticipantFactory(event=event), session=lab, actor=Actor.delegate()
    )
    asked = client.get(
        f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/move/?to_session={lab.pk}"
    ).content.decode()
    assert (
        '"<bdi>Policy lab</bdi>" is full: <bdi>Amina Benali</bdi> joins its waiting '
        'list and keeps their booking in "<bdi>Future of work</bdi>"' in asked
    )


def test_removing_a_staff_role_asks_first_and_names_what_is_lost(client, event, talk):
    secretariat = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=secretariat, event=event, role="secretariat")
    door = User.objects.create_user("door", "door@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=door, event=event, role="door")
    role.sessions.add(talk)
    client.force_login(secretariat)
    remove = f"/en/backoffice/casa/staff/{role.pk}/remove/"

    for shown in (client.get(remove), client.post(remove)):
        page = shown.content.decode()
        assert "Remove the role of <bdi>door@example.org</bdi>?" in page
        assert (
            '<bdi>door@example.org</bdi> loses the role "Door staff" and no longer '
            "sees this event in the back office." in page
        )
        assert "Their sessions: <bdi>Future of work</bdi>." in page
        assert StaffRole.objects.filter(pk=role.pk).exists()

    done = client.post(remove, {"confirm": "1"}, follow=True).content.decode()
    assert "<bdi>door@example.org</bdi> no longer has a role here." in done
    assert not StaffRole.objects.filter(pk=role.pk).exists()


def test_the_back_office_says_who_is_signed_in(client, organiser, talk):
    page = client.get(ROSTER).content.decode()
    label = '<li class="signed-in">Signed in as <bdi>Omar Idrissi</bdi></li>'
    assert label in page
    assert page.index(label) < page.index("Sign out")
    organiser.first_name = organiser.last_name = ""
    organiser.save()
    page = client.get(ROSTER).content.decode()
    assert "Signed in as <bdi>org@example.org</bdi>" in page


@pytest.mark.parametrize("to_session", ["abc", "1.5", "99999999999999999999"])
def test_moving_to_a_session_that_is_no_number_is_not_found(
    client, organiser, amina, to_session
):
    move = f"/en/backoffice/casa/s/talk/bookings/{amina.pk}/move/"
    assert client.get(move, {"to_session": to_session}).status_code == 404
    assert (
        client.post(move, {"to_session": to_session, "confirm": "1"}).status_code == 404
    )
    amina.refresh_from_db()
    assert amina.status == BookingStatus.CONFIRMED
