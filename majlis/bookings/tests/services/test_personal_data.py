"""A delegate's personal data: downloaded, their account deleted (seats passed
on), and an event's erased after the conference with its statistics kept."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from majlis.accounts.models import (
    CalendarFeed,
    MagicLink,
    Participant,
    ParticipantToken,
)
from majlis.accounts.services import (
    calendar_feed_issue,
    magic_link_request,
    participant_token_create,
)
from majlis.backoffice.models import SessionMessage
from majlis.backoffice.selectors import event_dashboard
from majlis.backoffice.services import session_message_send
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.personal_data import (
    event_erase_personal_data,
    participant_data_export,
    participant_delete_account,
)
from majlis.bookings.services import (
    Actor,
    booking_check_in,
    booking_create,
    booking_update_access_needs,
)
from majlis.core.exceptions import InvalidInput
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _person(event, number: int, **fields) -> Participant:
    return ParticipantFactory(
        event=event,
        email=f"Nadia.Karimi{number}@Example.org",
        name=f"Nadia Karimi {number}",
        organisation=f"Syndicat national {number}",
        **fields,
    )


def _book(person, session) -> Booking:
    booking_create(participant=person, session=session, actor=Actor.delegate())
    return Booking.objects.get(
        participant=person, session=session, status__in=["confirmed", "waitlisted"]
    )


def test_the_download_holds_the_record_bookings_audit_and_email_of_one_delegate():
    event = EventFactory()
    session = SessionFactory(event=event, code="targets", title_en="Targets")
    other_session = SessionFactory(event=event)
    amina = _person(event, 1, country="MA", constituency="workers")
    someone_else = _person(event, 2)
    booking = _book(amina, session)
    booking_update_access_needs(
        booking=booking, needs=["captioning"], note="front row", actor=Actor.delegate()
    )
    _book(someone_else, other_session)

    data = participant_data_export(participant=amina)

    assert data["delegate"]["email"] == amina.email
    assert data["delegate"]["name"] == "Nadia Karimi 1"
    assert data["delegate"]["organisation"] == "Syndicat national 1"
    assert (data["delegate"]["country"], data["delegate"]["constituency"]) == (
        "MA",
        "workers",
    )
    assert [(b["session"], b["status"]) for b in data["bookings"]] == [
        ("targets", "confirmed")
    ]
    assert data["bookings"][0]["access_needs"] == ["captioning"]
    assert data["bookings"][0]["access_needs_note"] == "front row"
    assert [c["action"] for c in data["booking_changes"]] == ["booked", "access_needs"]
    assert data["messages"]
    assert {m["to"] for m in data["messages"]} == {amina.email}
    assert all(m["subject"] for m in data["messages"])
    # Nothing of the other delegate, and it is JSON.
    text = json.dumps(data, cls=DjangoJSONEncoder)
    assert someone_else.email not in text
    assert "Nadia Karimi 2" not in text


def test_deleting_an_account_cancels_its_seats_which_pass_to_the_waiting_list():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    leaving = _person(event, 1)
    waiting = _person(event, 2)
    _book(leaving, session)
    queued = _book(waiting, session)
    assert queued.status == BookingStatus.WAITLISTED
    participant_token_create(participant=leaving)
    magic_link_request(event=event, email=leaving.email)

    participant_delete_account(participant=leaving)

    queued.refresh_from_db()
    assert queued.status == BookingStatus.CONFIRMED
    left = Booking.objects.get(participant=leaving)
    assert left.status == BookingStatus.CANCELLED
    assert list(left.changes.values_list("action", "actor_kind")) == [
        ("booked", "participant"),
        ("cancelled", "participant"),
    ]
    leaving.refresh_from_db()
    assert leaving.erased_at is not None
    assert (leaving.email, leaving.name, leaving.organisation) == (
        f"erased-{leaving.pk}@erased.invalid",
        "",
        "",
    )
    assert not ParticipantToken.objects.filter(participant=leaving).exists()
    assert not MagicLink.objects.filter(participant=leaving).exists()
    # No email goes to the person who left; the promoted delegate hears.
    assert not OutboxMessage.objects.filter(
        to_email__iexact="nadia.karimi1@example.org"
    )
    assert OutboxMessage.objects.filter(
        to_email=waiting.email, kind="booking_promoted"
    ).exists()


def test_a_deleted_delegate_can_no_longer_ask_for_a_sign_in_link():
    event = EventFactory()
    leaving = _person(event, 1)
    address = leaving.email
    participant_delete_account(participant=leaving)
    magic_link_request(event=event, email=f"erased-{leaving.pk}@erased.invalid")
    magic_link_request(event=event, email=address)
    # Only the decoys an unknown address gets too (docs/SECURITY.md, "Sign-in
    # timing"): a link of no one, a message never sent.
    assert not MagicLink.objects.filter(participant__isnull=False).exists()
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DROPPED).exists()


def test_a_deleted_delegate_s_calendar_subscription_stops(client):
    event = EventFactory()
    leaving = _person(event, 1)
    token = calendar_feed_issue(participant=leaving)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    participant_delete_account(participant=leaving)
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert not CalendarFeed.objects.exists()


def _text_of_every_table() -> str:
    """Every value of every row of every table, as one text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found.extend(str(row) for row in cursor.fetchall())
    return "\n".join(found).lower()


def _conference_held(event, people: list[Participant]) -> None:
    """Bookings, waiting lists, access needs, a check-in, a message to a
    session's delegates, a delegate edited in the admin; then the sessions
    move into the past."""
    full, roomy = (
        SessionFactory(event=event, capacity=2, code="full"),
        SessionFactory(event=event, capacity=10, code="roomy"),
    )
    for person in people[:4]:
        _book(person, full)
    for person in people[3:]:
        booking = _book(person, roomy)
        booking_update_access_needs(
            booking=booking,
            needs=["wheelchair"],
            note=f"{person.name} needs a ramp",
            actor=Actor.delegate(),
        )
    organiser = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    booking_check_in(
        session=roomy, participant=people[4], actor=Actor.organiser(organiser)
    )
    session_message_send(
        session=roomy,
        author=organiser,
        audience="confirmed",
        subject="Room change",
        body="We move to Atlas 2.",
    )
    LogEntry.objects.log_actions(
        user_id=organiser.pk,
        queryset=[people[0]],
        action_flag=CHANGE,
        change_message="Changed name.",
    )
    for person in people[:2]:
        participant_token_create(participant=person)
        magic_link_request(event=event, email=person.email)
    past = timezone.now() - timedelta(days=3)
    for session in (full, roomy):
        length = session.ends_at - session.starts_at
        type(session).objects.filter(pk=session.pk).update(
            starts_at=past, ends_at=past + length
        )


def test_after_the_event_no_email_name_or_organisation_remains_and_the_figures_add_up():
    event = EventFactory()
    people = [
        _person(event, n, country=country, constituency=constituency, language=lang)
        for n, (country, constituency, lang) in enumerate(
            [
                ("MA", "government", "fr"),
                ("FR", "workers", "fr"),
                ("BR", "employers", "es"),
                ("EG", "civil_society", "ar"),
                ("KE", "youth", "en"),
                ("IN", "academia", "en"),
            ]
        )
    ]
    other_event_person = ParticipantFactory(email="kept@example.org", name="Kept")
    _conference_held(event, people)
    before = event_dashboard(event=event, sessions=event.sessions.all())
    text = _text_of_every_table()
    assert "nadia karimi 0" in text
    assert "nadia.karimi0@example.org" in text  # so the scan below can see them

    erased = event_erase_personal_data(event=event)

    assert erased == len(people)
    text = _text_of_every_table()
    for person in people:
        assert person.email.lower() not in text
        assert person.name.lower() not in text
        assert person.organisation.lower() not in text
        assert person.checkin_code.lower() not in text
    assert "needs a ramp" not in text
    assert "kept@example.org" in text  # another event's delegate stays
    after = event_dashboard(event=event, sessions=event.sessions.all())
    assert after == before
    assert after.by_constituency and after.by_language and after.by_region
    assert sum(figures.checked_in for figures in after.sessions) == 1
    message = SessionMessage.objects.get()
    # The three confirmed in the session, each now anonymous.
    assert len(message.recipients) == 3
    assert all(r.endswith("@erased.invalid") for r in message.recipients)
    assert (
        LogEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Participant)
        ).object_repr
        == f"erased-{people[0].pk}"
    )
    other_event_person.refresh_from_db()
    assert other_event_person.erased_at is None


def test_an_event_not_over_keeps_its_personal_data():
    event = EventFactory()
    SessionFactory(event=event)
    person = _person(event, 1)
    with pytest.raises(InvalidInput, match="not over"):
        event_erase_personal_data(event=event)
    person.refresh_from_db()
    assert person.erased_at is None


def test_the_command_erases_an_event_that_is_over(capsys):
    event = EventFactory(slug="done")
    session = SessionFactory(event=event)
    people = [_person(event, n) for n in range(2)]
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )
    call_command("erase_personal_data", "--event", "done", "--no-input")
    assert "Personal data of 2 delegates erased in done." in capsys.readouterr().out
    assert Participant.objects.filter(erased_at__isnull=False).count() == len(people)


def test_deleting_an_account_with_more_bookings_than_the_change_limit_cancels_them_all():
    """One request, however many bookings: the delegate's own limit of booking
    changes (20 a minute by default) counts the delegate's clicks, not the
    cancellations a deletion makes."""
    event = EventFactory()
    start = timezone.now() + timedelta(days=3)
    person = _person(event, 1)
    sessions = [
        SessionFactory(
            event=event,
            starts_at=start + timedelta(hours=2 * number),
            ends_at=start + timedelta(hours=2 * number + 1),
        )
        for number in range(25)
    ]
    bookings = []
    with override_settings(MAJLIS_LIMIT_BOOKING_CHANGES="off"):
        for session in sessions:
            bookings.append(_book(person, session))

    participant_delete_account(participant=person)

    statuses = set(
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {BookingStatus.CANCELLED}
    person.refresh_from_db()
    assert person.erased_at is not None
