"""Delegates' records under concurrent requests (PostgreSQL: real row locks)."""

import threading
import time

import pytest

from majlis.accounts import services
from majlis.accounts.models import MagicLink, Participant
from majlis.outbox.models import OutboxMessage
from majlis.testing.concurrency import run_together
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
]


def test_twenty_simultaneous_sign_in_requests_send_one_link(monkeypatch):
    delegate = ParticipantFactory()
    create = OutboxMessage.objects.create

    def slow_create(**kwargs):
        time.sleep(0.05)  # widen the window between deciding and sending
        return create(**kwargs)

    monkeypatch.setattr(OutboxMessage.objects, "create", slow_create)

    outcomes = run_together(
        20,
        lambda _i: services.magic_link_request(
            event=delegate.event, email=delegate.email
        ),
    )

    assert outcomes == {"None": 1, "too_many_requests": 19}
    assert MagicLink.objects.filter(participant=delegate).count() == 1
    assert OutboxMessage.objects.filter(kind="magic_link").count() == 1


def test_two_requests_for_one_delegate_at_once_make_one_link(monkeypatch):
    """Without Redis each server process counts on its own: two processes may
    each send within the minute, and then send the same link."""
    delegate = ParticipantFactory()
    monkeypatch.setattr("majlis.accounts.services.limiter", _Unlimited)
    run_together(
        2,
        lambda _i: services.magic_link_request(
            event=delegate.event, email=delegate.email
        ),
    )
    assert MagicLink.objects.filter(participant=delegate).count() == 1
    tokens = OutboxMessage.objects.values_list("payload__token", flat=True)
    assert len(tokens) == 2 and len(set(tokens)) == 1


class _Unlimited:
    def hit(self, *args, **kwargs):
        return None


def test_two_simultaneous_registrations_of_a_new_address_make_one_delegate(monkeypatch):
    event = EventFactory()
    manager_class = type(Participant.objects)
    create = manager_class.create
    both_creating = threading.Barrier(2)

    def create_together(self, **kwargs):
        both_creating.wait(5)
        return create(self, **kwargs)

    monkeypatch.setattr(manager_class, "create", create_together)

    outcomes = run_together(
        2,
        lambda i: services.participant_upsert(
            event=event,
            data={"email": ["new@example.org", "NEW@example.org"][i], "name": f"N{i}"},
        ),
    )

    assert sum(outcomes.values()) == 2 and not any(
        o.startswith("crash") for o in outcomes
    )
    assert Participant.objects.filter(event=event).count() == 1


def test_an_import_meeting_a_registration_of_its_new_address_starts_again(
    monkeypatch,
):
    """The API registers an address the import is about to create, between the
    import's reading and its inserting: the import starts again once and
    updates that delegate instead of failing."""
    from django.db import connection

    event = EventFactory()
    manager_class = type(Participant.objects)
    bulk_create = manager_class.bulk_create
    attempts = []

    def register_meanwhile(self, objs, *args, **kwargs):
        attempts.append(len(objs))
        if len(attempts) == 1:

            def register():
                try:
                    services.participant_upsert(
                        event=event,
                        data={"email": "NEW@example.org", "name": "From the API"},
                    )
                finally:
                    connection.close()

            other = threading.Thread(target=register)
            other.start()
            other.join(10)
        return bulk_create(self, objs, *args, **kwargs)

    monkeypatch.setattr(manager_class, "bulk_create", register_meanwhile)

    count = services.participant_import_rows(
        event=event,
        rows=[
            (2, {"email": "new@example.org", "name": "From the file"}),
            (3, {"email": "other@example.org", "name": "Other"}),
        ],
    )

    assert count.imported == 2 and attempts == [2, 1]
    people = dict(Participant.objects.filter(event=event).values_list("email", "name"))
    assert people == {"NEW@example.org": "From the file", "other@example.org": "Other"}
