"""The door page under pressure: the answer at the top and the field empty for
the next scan; who is still to arrive; releasing absent delegates' seats only
once asked and confirmed."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import time_format

from majlis.backoffice.models import StaffRole
from majlis.backoffice.tests.door_page import read_door
from majlis.bookings.models import AccessNeed, Booking
from majlis.bookings.services import Actor, booking_create, session_set_capacity
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
DOOR = "/en/backoffice/casa/s/talk/check-in/"


@pytest.fixture
def talk():
    now = timezone.now()
    return SessionFactory(
        event=EventFactory(slug="casa", is_demo=True),  # booking stays open
        code="talk",
        capacity=3,
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(minutes=60),
        no_show_release_minutes=10,
    )


@pytest.fixture
def people(talk):
    names = ("Zoé Martin", "amina Benali", "Élodie Roux", "Lina Haddad")
    found = {
        name.split()[0].lower(): ParticipantFactory(
            event=talk.event, name=name, organisation=""
        )
        for name in names
    }
    for person in found.values():  # Lina, last, waits
        booking_create(participant=person, session=talk, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))  # before the start
    return found


@pytest.fixture
def door(talk) -> Client:
    user = User.objects.create_user("door", "door@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=talk.event, role="door").sessions.add(
        talk
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_answer_comes_above_an_empty_field_ready_for_the_next_scan(door, people):
    html = door.post(DOOR, {"q": people["zoé"].checkin_code}).content.decode()
    result = html.index('id="door-result"')
    assert 'role="status" aria-live="assertive"' in html[result : result + 200]
    field = html.index('id="checkin-q"')
    assert result < field, "the answer is above the field, not below the fold"
    assert 'name="q" value=""' in html[field - 100 : field + 100]
    assert "autofocus" in html[field : field + 200]
    assert read_door(html).result == "Seated Zoé Martin is checked in."
    # One action per delegate: the next code follows at once.
    nxt = read_door(door.post(DOOR, {"q": people["amina"].checkin_code}).content)
    assert nxt.result == "Seated amina Benali is checked in."


def test_the_confirmed_delegates_still_to_arrive_are_counted_and_listed_by_name(
    door, people
):
    page = read_door(door.get(DOOR).content)
    assert "3 confirmed delegates still to arrive" in page.text
    assert page.to_arrive == [], "the names only when asked for"
    assert "Show them by name" in page.text
    page = read_door(door.get(DOOR, {"arrivals": "1"}).content)
    assert [item.split(" Check in")[0] for item in page.to_arrive] == [
        "amina Benali",
        "Élodie Roux",
        "Zoé Martin",
    ]
    late = door.post(DOOR, {"participant": people["élodie"].pk, "list": "arrivals"})
    page = read_door(late.content)
    assert page.result == "Seated Élodie Roux is checked in."
    assert "2 confirmed delegates still to arrive" in page.text
    assert [item.split(" Check in")[0] for item in page.to_arrive] == [
        "amina Benali",
        "Zoé Martin",
    ], "the list stays open for the next one"
    scanned = read_door(door.post(DOOR, {"q": people["zoé"].checkin_code}).content)
    assert "1 confirmed delegate still to arrive" in scanned.text
    assert scanned.to_arrive == []


def test_one_still_to_arrive_is_counted_in_the_singular(door, people):
    for name in ("zoé", "amina"):
        door.post(DOOR, {"q": people[name].checkin_code})
    assert (
        "1 confirmed delegate still to arrive" in read_door(door.get(DOOR).content).text
    )


def test_releasing_says_how_many_seats_asks_then_releases(door, people):
    page = read_door(door.post(DOOR, {"q": people["zoé"].checkin_code}).content)
    assert "Release the seats of 2 absent delegates…" in page.release

    asked = read_door(door.post(DOOR, {"action": "release"}).content)

    assert "2 confirmed delegates have not checked in." in asked.text
    assert "Release 2 seats" in asked.text
    assert Booking.objects.filter(status="cancelled").count() == 0, "only asked"

    done = door.post(DOOR, {"action": "release", "confirm": "1"}, follow=True)

    assert done.redirect_chain[-1][0] == DOOR
    text = read_door(done.content).text
    assert "2 seats of absent delegates were released." in text
    statuses = dict(
        Booking.objects.values_list("participant__name", "status").order_by()
    )
    assert statuses == {
        "Zoé Martin": "confirmed",
        "amina Benali": "cancelled",
        "Élodie Roux": "cancelled",
        "Lina Haddad": "confirmed",  # first on the waiting list
    }


def test_right_after_a_release_the_door_offers_nothing_to_release(door, people, talk):
    """Lina, given a seat by the release, has had no time to walk in: the door
    neither counts her seat among those it may release nor offers to release
    it, and says from when it may."""
    door.post(DOOR, {"q": people["zoé"].checkin_code})
    done = read_door(
        door.post(DOOR, {"action": "release", "confirm": "1"}, follow=True).content
    )
    lina = Booking.objects.get(participant=people["lina"])
    goes = lina.confirmed_at + timedelta(minutes=10)
    when = time_format(  # the minute after, when the seat has gone
        timezone.localtime(
            goes.replace(second=0, microsecond=0) + timedelta(minutes=1),
            talk.event.zone,
        ),
        "TIME_FORMAT",
    )
    grace = (
        "1 delegate still to arrive got their seat after the start: it can be"
        f" released from {when}."
    )

    assert "1 confirmed delegate still to arrive" in done.text
    assert grace in done.release
    assert "Release the" not in done.release
    assert "no seat to release" not in done.release

    asked = read_door(door.post(DOOR, {"action": "release"}).content)

    assert grace in asked.text
    assert "Release 1 seat" not in asked.text
    door.post(DOOR, {"action": "release", "confirm": "1"})  # sent anyway
    assert Booking.objects.get(pk=lina.pk).status == "confirmed"


def test_only_the_seats_given_before_their_grace_are_offered(door, people, talk):
    """Lina, promoted when the capacity grew, and Omar, who booked after the
    start, keep their seats for now; Amina and Élodie's seats may go."""
    session_set_capacity(session=talk, capacity=5, actor=Actor.delegate())
    omar = ParticipantFactory(event=talk.event, name="Omar Haddad")
    booking_create(participant=omar, session=talk, actor=Actor.delegate())
    door.post(DOOR, {"q": people["zoé"].checkin_code})

    page = read_door(door.get(DOOR).content)

    assert "4 confirmed delegates still to arrive" in page.text
    assert "Release the seats of 2 absent delegates…" in page.release
    assert (
        "2 delegates still to arrive got their seats after the start: the first"
        " of those seats can be released from"
    ) in page.release
    asked = read_door(door.post(DOOR, {"action": "release"}).content)
    assert "2 confirmed delegates have not checked in." in asked.text
    assert "Release 2 seats" in asked.text
    door.post(DOOR, {"action": "release", "confirm": "1"})
    assert set(
        Booking.objects.filter(status="confirmed").values_list(
            "participant__name", flat=True
        )
    ) == {"Zoé Martin", "Lina Haddad", "Omar Haddad"}


def test_nothing_is_released_before_the_release_time(door, people, talk):
    talk.starts_at = timezone.now() + timedelta(minutes=5)
    talk.ends_at = talk.starts_at + timedelta(hours=1)
    talk.save()
    page = read_door(door.get(DOOR).content)
    assert "can be released" in page.release and "Release the" not in page.release
    asked = read_door(door.post(DOOR, {"action": "release"}).content)
    assert "can be released" in asked.text and "Release 2 seats" not in asked.text
    done = door.post(DOOR, {"action": "release", "confirm": "1"}, follow=True)
    assert "can be released from" in read_door(done.content).text
    assert not Booking.objects.filter(status="cancelled").exists()


def test_a_walk_in_without_a_free_seat_is_told_so_in_red(door, people, talk):
    door.post(DOOR, {"q": people["zoé"].checkin_code})
    door.post(DOOR, {"action": "release", "confirm": "1"})  # Lina gets a seat; 1 free
    first = ParticipantFactory(event=talk.event, name="Omar Haddad")
    second = ParticipantFactory(event=talk.event, name="Sara Idrissi")
    seated = read_door(
        door.post(
            DOOR, {"action": "walk_in", "participant": first.pk, "q": first.name}
        ).content
    )
    assert seated.result == "Seated Omar Haddad has a seat and is checked in."
    # The last seat is gone: the second walk-in is not offered a seat...
    offered = read_door(door.post(DOOR, {"q": second.checkin_code}).content)
    assert "No seat is free for a walk-in." in offered.result
    assert "Give Sara Idrissi" not in offered.text
    # ...and a form sent anyway is refused, in words, changing nothing.
    refused = door.post(
        DOOR, {"action": "walk_in", "participant": second.pk, "q": second.name}
    )
    assert read_door(refused.content).result.startswith("No seat given")
    assert b"door-outcome-bad" in refused.content
    assert not Booking.objects.filter(participant=second, status="confirmed").exists()


def test_a_walk_in_seated_elsewhere_at_the_same_time_is_named_to_the_door(
    door, people, talk
):
    """The refusal speaks to the door about the delegate ("Omar Haddad holds a
    seat…"), not to the door staff as if they had booked ("You already hold a
    seat…")."""
    door.post(DOOR, {"action": "release", "confirm": "1"})  # seats free up
    omar = ParticipantFactory(event=talk.event, name="Omar Haddad")
    elsewhere = SessionFactory(
        event=talk.event,
        title_en="Green jobs",
        starts_at=talk.starts_at,
        ends_at=talk.ends_at,
    )
    booking_create(participant=omar, session=elsewhere, actor=Actor.delegate())

    refused = read_door(
        door.post(
            DOOR, {"action": "walk_in", "participant": omar.pk, "q": omar.name}
        ).content
    )

    assert refused.result.startswith("No seat given")
    assert "You " not in refused.result
    assert "Omar Haddad" in refused.result and "Green jobs" in refused.result
    assert not Booking.objects.filter(session=talk, participant=omar).exists()


def test_each_outcome_has_its_colour_icon_and_words(door, people, talk):
    outsider = ParticipantFactory(event=talk.event, name="Omar Haddad")
    for code, tone, words in (
        (people["zoé"].checkin_code, "ok", "Seated"),
        (people["zoé"].checkin_code, "warn", "Already checked in"),
        (people["lina"].checkin_code, "warn", "Waiting list"),
        (outsider.checkin_code, "bad", "Not booked here"),
        ("NOBODY42", "bad", "Not found"),
    ):
        html = door.post(DOOR, {"q": code}).content.decode()
        assert f"door-outcome door-outcome-{tone}" in html
        assert '<svg class="door-icon"' in html
        assert read_door(html).result.startswith(words)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_an_empty_scan_answers_nothing_rather_than_not_found(door, people, blank):
    """Enter pressed on an empty field (a scanner's stray Enter, a tap on the
    button): no red "Not found" for “”, the field ready as before."""
    html = door.post(DOOR, {"q": blank}).content.decode()

    assert read_door(html).result == ""
    assert "door-outcome" not in html
    assert not Booking.objects.filter(checked_in_at__isnull=False).exists()


def test_htmx_gets_the_same_page_to_swap_its_parts(door, people):
    answer = door.post(DOOR, {"q": people["zoé"].checkin_code}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="door-area"' in html and 'id="door-result"' in html
    assert 'data-hx-select-oob="#door-result:innerHTML"' in html


@pytest.mark.parametrize("chosen", ["²", "99999999999999999999"])
def test_a_chosen_delegate_that_is_no_number_finds_nobody(door, people, chosen):
    for action in ("walk_in", ""):
        response = door.post(DOOR, {"action": action, "participant": chosen, "q": ""})
        assert response.status_code in (200, 404)
    assert not Booking.objects.filter(checked_in_at__isnull=False).exists()


def test_the_answer_tells_the_door_what_a_delegate_needs_to_take_part(door, talk):
    """Door staff seat a delegate who needs a wheelchair place near the door,
    in the words of the page's language, with what the delegate wrote."""
    person = ParticipantFactory(event=talk.event, name="Karim Tazi")
    booking_create(
        participant=person,
        session=talk,
        actor=Actor.delegate(),
        access_needs=["wheelchair", "captioning"],
        access_needs_note="Near the door, please",
    )
    for _ in range(2):  # checked in, then already checked in: both say it
        answer = read_door(door.post(DOOR, {"q": person.checkin_code}).content)
        assert "Access needs: Wheelchair access, Captioning" in answer.result
        assert "Near the door, please" in answer.result
    arabic = read_door(
        door.post(DOOR.replace("/en/", "/ar/"), {"q": person.checkin_code}).content
    )
    with translation.override("ar"):
        wheelchair = str(AccessNeed.WHEELCHAIR.label)
    assert wheelchair in arabic.result and "Wheelchair" not in arabic.result
    assert "احتياجات الإتاحة" in arabic.result


def test_an_answer_without_access_needs_says_nothing_of_them(door, people):
    answer = read_door(door.post(DOOR, {"q": people["zoé"].checkin_code}).content)
    assert answer.result == "Seated Zoé Martin is checked in."


def test_namesakes_at_the_door_are_told_apart_by_their_check_in_codes(door, talk):
    """Two delegates of the same name, with no organisation (or the same one),
    are listed with their codes, which each can give, in the list of those to
    arrive and in a search; their buttons say whom each checks in. Someone
    of another name is listed by name alone."""
    twins = [
        ParticipantFactory(event=talk.event, name=name, organisation="")
        for name in ("Amina Benali", "AMINA BENALI")
    ]
    other = ParticipantFactory(event=talk.event, name="Amina Haddad", organisation="")
    for person in (*twins, other):
        booking_create(participant=person, session=talk, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))
    first, second = (twin.checkin_code for twin in twins)

    arrivals = read_door(door.get(DOOR, {"arrivals": "1"}).content).to_arrive
    found = read_door(door.get(DOOR, {"q": "amina"}).content).matches

    waiting = " Confirmed, not checked in yet"
    assert (
        sorted(arrivals)
        == sorted(item.replace(waiting, "") for item in found)
        == [
            f"AMINA BENALI · {second} Check in AMINA BENALI ({second})",
            f"Amina Benali · {first} Check in Amina Benali ({first})",
            "Amina Haddad Check in Amina Haddad",
        ]
    )
    assert all(waiting in item for item in found)


def test_a_namesake_not_booked_here_is_found_by_name_alone(door, talk):
    """For a walk-in, the door learns no more than the whole name typed."""
    for _twin in range(2):
        ParticipantFactory(event=talk.event, name="Omar Idrissi", organisation="")

    found = read_door(door.get(DOOR, {"q": "Omar Idrissi"}).content).matches

    assert [item.split(" Not booked")[0] for item in found] == ["Omar Idrissi"] * 2


def test_a_namesake_still_to_arrive_shows_a_code_once_the_other_is_in(door, talk):
    """Amina Benali of Acme is checked in; her namesake, still to arrive, is
    listed with her code, and found with it by her email: whoever says that
    name at the door may be either, and only the code tells which seat is
    theirs."""
    twins = [
        ParticipantFactory(event=talk.event, name="Amina Benali", organisation="Acme")
        for _twin in range(2)
    ]
    for person in twins:
        booking_create(participant=person, session=talk, actor=Actor.delegate())
    made_earlier(Booking.objects.all(), by=timedelta(hours=1))
    door.post(DOOR, {"q": twins[0].checkin_code})
    code = twins[1].checkin_code

    arrivals = read_door(door.get(DOOR, {"arrivals": "1"}).content).to_arrive
    found = read_door(door.get(DOOR, {"q": twins[1].email}).content).matches

    assert arrivals == [f"Amina Benali · Acme · {code} Check in Amina Benali ({code})"]
    assert len(found) == 1 and f"· {code}" in found[0]


def test_a_kept_seat_is_said_to_go_from_a_minute_it_goes_by(door, people, talk):
    """Lina's seat, given at 30 seconds past a minute, may go ten minutes
    later, 30 seconds past: the door, which writes minutes, names the minute
    after, never one at which a release still keeps it."""
    door.post(DOOR, {"q": people["zoé"].checkin_code})
    door.post(DOOR, {"action": "release", "confirm": "1"})
    lina = Booking.objects.get(participant=people["lina"])
    given = (timezone.now() - timedelta(minutes=1)).replace(second=30, microsecond=0)
    Booking.objects.filter(pk=lina.pk).update(confirmed_at=given)

    page = read_door(door.get(DOOR).content)

    def said(when):
        return time_format(timezone.localtime(when, talk.event.zone), "TIME_FORMAT")

    on_the_minute = given.replace(second=0) + timedelta(minutes=11)
    assert f"it can be released from {said(on_the_minute)}." in page.release
