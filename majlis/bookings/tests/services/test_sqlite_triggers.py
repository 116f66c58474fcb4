"""On SQLite the waiting counter's triggers are dropped before and restored
after every ``migrate``, since SQLite rebuilds tables to alter them (found in
review: a rebuild dropped them silently, or failed while they named a table)."""

import pytest
from django.db import connection

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.sqlite_triggers import (
    TRIGGERS,
    create_sqlite_triggers,
    drop_sqlite_triggers,
)
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its trigger through ALTER TABLE")


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def add_waiting(session, person) -> None:
    Booking.objects.create(
        participant=person,
        session=session,
        status=BookingStatus.WAITLISTED,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        created_at=session.starts_at,
    )


@pytest.mark.usefixtures("on_sqlite")
def test_the_migrated_database_has_the_triggers():
    assert set(TRIGGERS) <= triggers()


@pytest.mark.usefixtures("on_sqlite")
def test_restoring_after_a_migration_recounts_what_changed_meanwhile():
    session = SessionFactory(capacity=1)
    first, second = ParticipantFactory.create_batch(2, event=session.event)
    add_waiting(session, first)

    drop_sqlite_triggers(connection)
    assert not set(TRIGGERS) & triggers()
    add_waiting(session, second)  # uncounted: no trigger
    session.refresh_from_db()
    assert session.waitlist_length == 1

    create_sqlite_triggers(connection)

    assert set(TRIGGERS) <= triggers()
    session.refresh_from_db()
    assert session.waitlist_length == 2
