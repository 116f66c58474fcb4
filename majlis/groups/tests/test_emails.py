"""Each delegate's tables by email: queued through the outbox only once the
arrangement is published, one message per seated delegate in their language,
telling the arrangement as it was when emailed, received by a real SMTP
server."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import translation

from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.core.exceptions import ChangedMeanwhile, InvalidInput
from majlis.groups import services
from majlis.groups.models import GroupSeat
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.testing.text import isolated

pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "fr", "es", "ar")


@pytest.fixture
def organiser():
    return User.objects.create_user("organiser")


@pytest.fixture
def cafe():
    event = EventFactory(slug="casa")
    session = SessionFactory(
        event=event, code="cafe", title_en="Income and gender", title_ar="الدخل والنوع"
    )
    bookings = [
        booking_create(
            participant=ParticipantFactory(
                event=event,
                name=f"Person {i}",
                email=f"person{i}@example.org",
                language=LANGUAGES[i % 4],
                organisation=f"Org {i % 4}",
            ),
            session=session,
            actor=Actor.delegate(),
        )
        for i in range(9)
    ]
    return session, bookings


def planned(session, organiser, **kwargs):
    options = {"kind": "cafe", "tables": 3, "rounds": 3} | kwargs
    return services.plan_groups(actor=organiser, session=session, **options)


def tables_of(booking) -> list[int]:
    return list(
        GroupSeat.objects.filter(booking=booking)
        .order_by("round")
        .values_list("table", flat=True)
    )


def deliver(server) -> list:
    """Send what is due; the messages the server received by it."""
    already = len(server.messages)
    outbox_send_due()
    return server.messages[already:]


def text_of(message) -> str:
    return (
        message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    )


def to(messages, address: str):
    (mine,) = [m for m in messages if m["To"].addresses[0].addr_spec == address]
    return mine


def test_a_draft_is_not_emailed(cafe, organiser):
    session, _bookings = cafe
    plan = planned(session, organiser)
    with pytest.raises(InvalidInput) as refused:
        services.email_arrangement(actor=organiser, plan=plan)
    assert str(refused.value.message) == (
        "Publish the arrangement before emailing the delegates their tables."
    )
    plan.refresh_from_db()
    assert plan.emailed_at is None
    assert not OutboxMessage.objects.filter(kind="group_seats").exists()


def test_one_message_per_seated_delegate_in_their_language(cafe, organiser):
    session, bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    booking_cancel(booking=bookings[8], actor=Actor.delegate())
    count = services.email_arrangement(actor=organiser, plan=plan)
    assert count == 8
    queued = OutboxMessage.objects.filter(kind="group_seats").order_by("to_email")
    assert [(m.to_email, m.language) for m in queued] == [
        (f"person{i}@example.org", LANGUAGES[i % 4]) for i in range(8)
    ]
    plan.refresh_from_db()
    assert plan.emailed_at is not None
    assert plan.updated_by == organiser


@pytest.mark.parametrize("by", ["delegate", "organiser"])
def test_a_booking_cancelled_before_the_email_is_sent_gets_no_tables(
    cafe, organiser, by
):
    """The tables of a delegate who cancelled (or was cancelled) after the
    email was queued are dropped by the worker, not sent; the others go."""
    session, bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    outbox_send_due()  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    actor = Actor.delegate() if by == "delegate" else Actor.organiser(organiser)
    booking_cancel(booking=bookings[0], actor=actor)
    mail.outbox.clear()

    outbox_send_due()

    subjects_to_person_0 = [
        m.subject for m in mail.outbox if m.to == ["person0@example.org"]
    ]
    assert subjects_to_person_0 == [
        f"Your booking is cancelled: {isolated('Income and gender')}"
    ]
    others = sorted(m.to[0] for m in mail.outbox if m.to != ["person0@example.org"])
    assert others == [f"person{i}@example.org" for i in range(1, 9)]
    dropped = OutboxMessage.objects.get(
        kind="group_seats", to_email="person0@example.org"
    )
    assert (dropped.status, dropped.sent_at) == (OutboxStatus.DROPPED, None)


def test_tables_emailed_then_unpublished_are_not_sent(cafe, organiser):
    """Taken back to a draft before the worker's turn, the arrangement is no
    longer what the delegates are told: every queued email is dropped."""
    session, _bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    outbox_send_due()  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    services.unpublish(actor=organiser, plan=plan)
    mail.outbox.clear()

    outbox_send_due()

    assert mail.outbox == []
    statuses = set(
        OutboxMessage.objects.filter(kind="group_seats").values_list(
            "status", flat=True
        )
    )
    assert statuses == {OutboxStatus.DROPPED}


def test_an_email_from_an_older_page_is_refused(cafe, organiser):
    session, _bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    with pytest.raises(ChangedMeanwhile):
        services.email_arrangement(
            actor=organiser, plan=plan, expected_version=plan.version - 1
        )
    assert not OutboxMessage.objects.filter(kind="group_seats").exists()


def test_each_delegate_receives_their_rounds_in_their_language(
    cafe, organiser, mail_to_smtp
):
    session, bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    deliver(mail_to_smtp)  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    received = deliver(mail_to_smtp)
    assert len(received) == 9
    english = to(received, "person0@example.org")
    tables = tables_of(bookings[0])
    assert english["Subject"] == f"Where you sit: {isolated('Income and gender')}"
    body = text_of(english)
    assert f"Hello {isolated('Person 0')}," in body
    for number, table in enumerate(tables, start=1):
        assert f"- Round {number}: table {table}\n" in body
    assert "/en/e/casa/me/" in body
    arabic = to(received, "person3@example.org")
    tables = tables_of(bookings[3])
    assert arabic["Subject"] == f"مكان جلوسك: {isolated('الدخل والنوع')}"
    body = text_of(arabic)
    for number, table in enumerate(tables, start=1):
        assert f"- الجولة {number}: الطاولة {table}\n" in body
    french = text_of(to(received, "person1@example.org"))
    assert f"Tour 1 : table {tables_of(bookings[1])[0]}" in french


def test_the_email_tells_the_arrangement_as_it_was_when_emailed(
    cafe, organiser, mail_to_smtp
):
    session, bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser, rounds=1))
    deliver(mail_to_smtp)  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    (before,) = tables_of(bookings[0])
    after = before % 3 + 1
    services.move_person(
        actor=organiser, plan=plan, booking=bookings[0], round=1, table=after
    )
    body = text_of(to(deliver(mail_to_smtp), "person0@example.org"))
    assert f"- Table {before}\n" in body
    assert f"Table {after}\n" not in body


def test_working_groups_name_each_topic_in_the_delegates_language(
    cafe, organiser, mail_to_smtp
):
    session, bookings = cafe
    topics = [
        {"en": f"Topic {n}", "fr": f"Thème {n}", "ar": f"الموضوع {n}"}
        for n in (1, 2, 3)
    ]
    plan = services.publish(
        actor=organiser,
        plan=planned(
            session, organiser, kind="topics", tables=None, rounds=1, topics=topics
        ),
    )
    hosted = bookings[3]
    services.unpublish(actor=organiser, plan=plan)
    plan = services.publish(
        actor=organiser,
        plan=planned(
            session,
            organiser,
            kind="topics",
            tables=None,
            rounds=1,
            hosts={hosted.pk: 2},
        ),
    )
    deliver(mail_to_smtp)  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    received = deliver(mail_to_smtp)
    (table,) = tables_of(bookings[1])
    french = text_of(to(received, "person1@example.org"))
    assert f"- Table {table} : {isolated(f'Thème {table}')}\n" in french
    arabic = text_of(to(received, "person3@example.org"))
    assert f"- الطاولة 2: {isolated('الموضوع 2')} (مضيف)\n" in arabic
    # Spanish has no topic names: the event's main language stands in.
    spanish = text_of(to(received, "person2@example.org"))
    (table,) = tables_of(bookings[2])
    with translation.override("es"):
        assert f"- Mesa {table}: {isolated(f'Topic {table}')}\n" in spanish


def test_the_time_zone_is_named_as_people_say_it(cafe, organiser, mail_to_smtp):
    session, _bookings = cafe
    plan = services.publish(actor=organiser, plan=planned(session, organiser))
    deliver(mail_to_smtp)  # the bookings' confirmations
    services.email_arrangement(actor=organiser, plan=plan)
    received = deliver(mail_to_smtp)
    english = text_of(to(received, "person0@example.org"))
    assert "Africa/Casablanca" not in english
    assert "(Morocco Time, GMT+" in english
    arabic = text_of(to(received, "person3@example.org"))
    assert "توقيت المغرب" in arabic
