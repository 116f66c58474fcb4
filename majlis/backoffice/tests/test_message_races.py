"""A session message confirmed from one preview, posted many times at once
(PostgreSQL: real concurrent transactions)."""

import uuid

import pytest
from django.contrib.auth.models import User

from majlis.backoffice.models import SessionMessage
from majlis.backoffice.services import session_message_send
from majlis.bookings.services import Actor, booking_create
from majlis.outbox.models import OutboxMessage
from majlis.testing.concurrency import run_together
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
]


def test_ten_sends_of_one_preview_at_once_send_it_once():
    session = SessionFactory()
    for participant in ParticipantFactory.create_batch(3, event=session.event):
        booking_create(participant=participant, session=session, actor=Actor.delegate())
    organiser = User.objects.create_user("o", "o@example.org", "pw-123-long")
    token = uuid.uuid4()

    outcomes = run_together(
        10,
        lambda _i: (
            session_message_send(
                session=session,
                author=organiser,
                audience="confirmed",
                subject="Room change",
                body="Menara.",
                send_token=token,
            ).pk
        ),
    )

    message = SessionMessage.objects.get()
    assert outcomes == {str(message.pk): 1, "invalid": 9}
    assert OutboxMessage.objects.filter(kind="session_message").count() == 3
