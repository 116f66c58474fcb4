"""Delivery through a real SMTP server: a booking writes an outbox row in its own
transaction, the worker sends it once, and a mail server that is down, hangs
or refuses loses nothing and delays no booking."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from majlis import cli
from majlis.accounts.services import magic_link_consume, magic_link_request
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_create
from majlis.core.exceptions import SessionFull
from majlis.outbox import rendering
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import SendReport, outbox_enqueue, outbox_send_due
from majlis.outbox.tests.conftest import SmtpServer, free_port, point_mailer_at
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

ME = Actor.delegate()


def book(participant, session, **kwargs) -> Booking:
    return booking_create(participant=participant, session=session, actor=ME, **kwargs)


def make_due(message: OutboxMessage) -> None:
    """What the passing of the retry delay does."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def event(db):
    return EventFactory(slug="future-of-work")


@pytest.fixture
def session(event):
    return SessionFactory(event=event, capacity=10)


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event)


@pytest.mark.django_db
def test_a_booking_is_delivered_once_and_its_row_marked_sent(
    mail_to_smtp, session, delegate
):
    booking = book(delegate, session)

    row = OutboxMessage.objects.get()
    assert (row.kind, row.to_email, row.payload) == (
        "booking_confirmed",
        delegate.email,
        {"booking": booking.pk},
    )
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 0, None)
    assert mail_to_smtp.messages == [], "a booking only writes the row"

    before = timezone.now()
    report = outbox_send_due()
    after = timezone.now()

    assert report == SendReport(sent=1, retried=0, failed=0)
    [delivery] = mail_to_smtp.deliveries
    assert delivery.rcpt_tos == [delegate.email]
    assert session.title_en in delivery.message["Subject"]
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert row.last_error == ""
    assert before <= row.sent_at <= after

    assert outbox_send_due() == SendReport(sent=0, retried=0, failed=0)
    assert len(mail_to_smtp.messages) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


@pytest.mark.django_db
def test_each_due_message_goes_to_its_own_recipient_once(mail_to_smtp, event):
    sessions = SessionFactory.create_batch(2, event=event, capacity=5)
    people = ParticipantFactory.create_batch(3, event=event)
    for person in people:
        book(person, sessions[0])
    book(people[0], sessions[1], switch=True)  # same time: a switch, two messages

    report = outbox_send_due()

    assert report.sent == OutboxMessage.objects.count() == 5
    received = sorted(d.rcpt_tos[0] for d in mail_to_smtp.deliveries)
    assert received == sorted([p.email for p in people] + [people[0].email] * 2)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


@pytest.mark.django_db
def test_a_round_sends_its_messages_over_one_connection(mail_to_smtp, session, event):
    for person in ParticipantFactory.create_batch(5, event=event):
        book(person, session)

    assert outbox_send_due() == SendReport(sent=5, retried=0, failed=0)
    assert len(mail_to_smtp.deliveries) == 5
    assert mail_to_smtp.connections_used == 1

    book(ParticipantFactory(event=event), session)
    assert outbox_send_due().sent == 1
    assert mail_to_smtp.connections_used == 2, "each round opens its own"


@pytest.mark.django_db
def test_a_connection_the_server_closed_while_idle_is_opened_again_at_once(
    settings, start_smtp_server, session, event, monkeypatch
):
    server = start_smtp_server(idle_timeout=0.3)
    point_mailer_at(settings, server.port)
    for person in ParticipantFactory.create_batch(3, event=event):
        book(person, session)
    real_render = rendering.render_message
    rendered: list[int] = []

    def second_one_slow(message, **kwargs):
        rendered.append(message.pk)
        if len(rendered) == 2:
            time.sleep(1.0)  # the connection sits idle past the server's limit
        return real_render(message, **kwargs)

    monkeypatch.setattr(rendering, "render_message", second_one_slow)

    assert outbox_send_due() == SendReport(sent=3, retried=0, failed=0)
    assert len(server.deliveries) == 3
    assert server.connections_used == 2
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


@dataclass
class ClosesWith421(SmtpServer):
    """Answers the second message on its first connection with 421 and
    closes it, at MAIL or at RCPT, as a server does with a connection it
    keeps no longer."""

    at: str = "MAIL"

    async def _answer(self, server, session, step: str) -> str | None:
        first = self.deliveries[0].peer if self.deliveries else None
        if step == self.at and session.peer == first:
            server.transport.write(b"421 4.4.2 closing this connection\r\n")
            server.transport.close()
            return "421 4.4.2 closing this connection"
        return None

    async def handle_MAIL(self, server, session, envelope, address, options):
        refusal = await self._answer(server, session, "MAIL")
        if refusal:
            return refusal
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        refusal = await self._answer(server, session, "RCPT")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["MAIL", "RCPT"])
def test_a_connection_the_server_closed_with_421_is_opened_again_at_once(
    settings, session, event, at
):
    server = ClosesWith421(port=free_port(), at=at).start()
    try:
        point_mailer_at(settings, server.port)
        for person in ParticipantFactory.create_batch(2, event=event):
            book(person, session)

        assert outbox_send_due() == SendReport(sent=2, retried=0, failed=0)
        assert len(server.deliveries) == 2
        assert server.connections_used == 2
    finally:
        server.stop()


@pytest.mark.django_db
def test_a_refused_booking_writes_and_sends_nothing(mail_to_smtp, event):
    session = SessionFactory(event=event, capacity=1, has_waitlist=False)
    first, second = ParticipantFactory.create_batch(2, event=event)
    book(first, session)
    rows = OutboxMessage.objects.count()

    with pytest.raises(SessionFull):
        book(second, session)

    assert OutboxMessage.objects.count() == rows
    outbox_send_due()
    assert [d.rcpt_tos for d in mail_to_smtp.deliveries] == [[first.email]]


@pytest.mark.django_db
def test_a_rolled_back_booking_writes_and_sends_nothing(
    mail_to_smtp, session, delegate
):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        book(delegate, session)
        assert OutboxMessage.objects.count() == 1
        raise Abandon

    assert OutboxMessage.objects.count() == 0
    assert Booking.objects.count() == 0
    assert outbox_send_due() == SendReport()
    assert mail_to_smtp.messages == []


@pytest.mark.django_db
def test_a_mail_server_that_is_down_delays_no_booking_and_loses_no_message(
    settings, mail_to_closed_port, start_smtp_server, session, delegate
):
    booking = book(delegate, session)
    assert booking.status == BookingStatus.CONFIRMED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    before = timezone.now()
    report = outbox_send_due()
    after = timezone.now()

    assert report == SendReport(sent=0, retried=1, failed=0)
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "ConnectionRefusedError" in row.last_error
    delay = timedelta(seconds=settings.MAJLIS_OUTBOX_RETRY_BASE_SECONDS)
    assert before + delay <= row.next_attempt_at <= after + delay
    # Not due yet: another run does not try again.
    assert outbox_send_due() == SendReport()
    row.refresh_from_db()
    assert row.attempts == 1

    # The mail server comes back at the same address, and the delay passes.
    server = start_smtp_server(port=mail_to_closed_port)
    make_due(row)
    assert outbox_send_due() == SendReport(sent=1, retried=0, failed=0)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")
    assert row.sent_at is not None
    [delivery] = server.deliveries
    assert delivery.rcpt_tos == [delegate.email]
    assert session.title_en in delivery.message["Subject"]


@pytest.mark.django_db
def test_a_message_no_longer_true_is_dropped_not_sent_nor_retried(
    mail_to_smtp, session, event, monkeypatch
):
    first, second = (
        book(p, session) for p in ParticipantFactory.create_batch(2, event=event)
    )
    real_render = rendering.render_message

    def first_no_longer_true(message, **kwargs):
        if message.payload["booking"] == first.pk:
            raise rendering.NotToSend("what it tells changed")
        return real_render(message, **kwargs)

    monkeypatch.setattr(rendering, "render_message", first_no_longer_true)

    assert outbox_send_due() == SendReport(sent=1, dropped=1)
    [delivery] = mail_to_smtp.deliveries
    assert delivery.rcpt_tos == [second.participant.email]
    row = OutboxMessage.objects.get(payload__booking=first.pk)
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.DROPPED, 1, None)
    assert row.last_error == "not sent: what it tells changed"
    make_due(row)
    assert outbox_send_due() == SendReport()


@pytest.mark.django_db
def test_a_message_is_given_up_after_the_last_attempt(
    settings, mail_to_closed_port, session, delegate
):
    settings.MAJLIS_OUTBOX_MAX_ATTEMPTS = 2
    book(delegate, session)
    row = OutboxMessage.objects.get()

    assert outbox_send_due() == SendReport(sent=0, retried=1, failed=0)
    make_due(row)
    assert outbox_send_due() == SendReport(sent=0, retried=0, failed=1)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.FAILED, 2, None)
    assert "ConnectionRefusedError" in row.last_error
    make_due(row)
    assert outbox_send_due() == SendReport()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)


@pytest.mark.django_db
def test_a_message_that_cannot_be_rendered_waits_and_does_not_block_the_others(
    mail_to_smtp, session, delegate
):
    broken = outbox_enqueue(
        kind="no_such_kind", to_email=delegate.email, language="en", payload={}
    )
    book(delegate, session)

    assert outbox_send_due() == SendReport(sent=1, retried=1, failed=0)

    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (OutboxStatus.PENDING, 1)
    assert broken.last_error == "ValueError: unknown outbox message kind 'no_such_kind'"
    assert len(mail_to_smtp.messages) == 1


@pytest.mark.django_db
def test_a_hung_mail_server_times_out_and_the_message_waits(
    settings, silent_server, session, delegate
):
    point_mailer_at(settings, silent_server.port, timeout=0.5)
    book(delegate, session)

    started = time.monotonic()
    assert outbox_send_due() == SendReport(sent=0, retried=1, failed=0)

    assert time.monotonic() - started < 3, "the SMTP timeout must bound the wait"
    assert silent_server.connected.is_set()
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "timed out" in row.last_error.lower() or "Timeout" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_a_booking_does_not_wait_for_a_worker_stuck_on_a_hung_mail_server(
    request, settings, silent_server
):
    stuck_for = 2.0
    point_mailer_at(settings, silent_server.port, timeout=stuck_for)
    session = SessionFactory(capacity=10)
    first, second = ParticipantFactory.create_batch(2, event=session.event)
    book(first, session)
    reports: list[SendReport] = []

    def worker() -> None:
        try:
            reports.append(outbox_send_due(limit=1))
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert silent_server.connected.wait(timeout=5), "the worker never connected"
        started = time.monotonic()
        booking = book(second, session)
        took = time.monotonic() - started
    finally:
        thread.join(timeout=stuck_for + 10)

    assert booking.status == BookingStatus.CONFIRMED
    assert took < stuck_for / 2, f"the booking waited {took:.2f}s for the mail server"
    assert reports == [SendReport(sent=0, retried=1, failed=0)]


# --- sign-in links -------------------------------------------------------------


@pytest.mark.django_db
def test_a_sent_sign_in_link_leaves_no_token_in_the_outbox(
    mail_to_smtp, event, delegate
):
    magic_link_request(event=event, email=delegate.email, next_path="/en/")
    row = OutboxMessage.objects.get()
    token = row.payload["token"]

    assert outbox_send_due() == SendReport(sent=1, retried=0, failed=0)

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.payload == {"participant": delegate.pk, "next": "/en/", "minutes": 30}
    assert token in mail_to_smtp.messages[0].get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_sign_in_link_that_waits_for_the_mail_server_keeps_its_token(
    mail_to_closed_port, start_smtp_server, event, delegate
):
    magic_link_request(event=event, email=delegate.email)
    row = OutboxMessage.objects.get()
    token = row.payload["token"]

    assert outbox_send_due().retried == 1
    row.refresh_from_db()
    assert row.payload["token"] == token

    server = start_smtp_server(port=mail_to_closed_port)
    make_due(row)
    assert outbox_send_due().sent == 1
    body = server.messages[0].get_body(("plain",)).get_content()
    assert f"/sign-in/{token}/" in body
    assert magic_link_consume(event=event, raw_token=token) == delegate


# --- the worker command ----------------------------------------------------------


@pytest.mark.django_db
def test_outbox_command_once_sends_what_is_due(mail_to_smtp, session, delegate):
    book(delegate, session)
    out = StringIO()

    call_command("outbox", once=True, stdout=out)

    assert out.getvalue() == "outbox: 1 sent, 0 to retry, 0 given up\n"
    assert [d.rcpt_tos for d in mail_to_smtp.deliveries] == [[delegate.email]]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    out = StringIO()
    call_command("outbox", once=True, stdout=out)
    assert out.getvalue() == "", "nothing is due: nothing to say"


@pytest.mark.django_db(transaction=True)  # the command closes the connections
def test_majlis_outbox_once_on_the_command_line(capsys, mail_to_smtp):
    session = SessionFactory()
    delegate = ParticipantFactory(event=session.event)
    book(delegate, session)

    cli.main(["majlis", "outbox", "--once"])

    assert "outbox: 1 sent, 0 to retry, 0 given up" in capsys.readouterr().out
    assert [d.rcpt_tos for d in mail_to_smtp.deliveries] == [[delegate.email]]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_claims_bookings_are_read_in_one_query(event):
    sessions = [SessionFactory(event=event, capacity=10) for _ in range(2)]
    for number in range(6):
        book(ParticipantFactory(event=event), sessions[number % 2])

    with CaptureQueriesContext(connection) as sending:
        report = outbox_send_due()

    assert report == SendReport(sent=6)
    booking_reads = [
        q["sql"]
        for q in sending.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "bookings_booking"' in q["sql"]
    ]
    assert len(booking_reads) == 1, booking_reads


@pytest.mark.django_db
def test_a_booking_message_without_a_proper_id_fails_alone(event, session):
    """Read with its batch's bookings, a broken payload must not stop the others."""
    for _ in range(3):
        book(ParticipantFactory(event=event), session)
    broken = outbox_enqueue(
        kind="booking_confirmed",
        to_email="someone@example.org",
        language="en",
        payload={"booking": "not-a-number"},
    )

    report = outbox_send_due()

    assert report == SendReport(sent=3, retried=1)
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (OutboxStatus.PENDING, 1)


@pytest.mark.django_db
def test_a_claims_bookings_are_read_again_when_sending_takes_long(event, monkeypatch):
    """A slow mail server must not make an email tell of its booking as it was
    long before it is sent."""
    from majlis.events.models import Session
    from majlis.outbox import rendering
    from majlis.outbox import services as outbox_services

    first, second = (SessionFactory(event=event, capacity=10) for _ in range(2))
    book(ParticipantFactory(event=event), first)
    book(ParticipantFactory(event=event), second)
    render = rendering.render_message
    subjects = []

    def render_then_rename_the_other(message, **options):
        email = render(message, **options)
        subjects.append(email.subject)
        Session.objects.filter(pk=second.pk).update(title_en="Renamed meanwhile")
        return email

    monkeypatch.setattr(rendering, "render_message", render_then_rename_the_other)
    monkeypatch.setattr(outbox_services, "BOOKINGS_FRESH_SECONDS", 0.0)

    outbox_send_due()

    assert "Renamed meanwhile" in subjects[1]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_retry_delay_below_a_second_stops_the_settings(value):
    # With 0 a refused message would be tried again at every round, for ever.
    started = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        env={**os.environ, "MAJLIS_OUTBOX_RETRY_BASE_SECONDS": value},
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "MAJLIS_OUTBOX_RETRY_BASE_SECONDS must be at least 1." in started.stderr
