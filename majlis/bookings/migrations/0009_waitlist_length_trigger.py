"""Keep ``Session.waitlist_length`` in the database, in the same transaction as
every change of a booking's status, whoever writes it; and version 2 of the
one-statement booking, which reads it.

A trigger rather than the services: there is then one place that can get the
count wrong, and it is the database itself. Every writer already holds the
session's row lock when it changes a booking's status (the overlap-group lock
or the one-statement booking), so the trigger's update waits for nobody.
"""

from pathlib import Path

from django.db import migrations

from majlis.bookings.sqlite_triggers import create_sqlite_triggers, drop_sqlite_triggers

BOOK_SEAT_V2 = Path(__file__).resolve().parent.parent / "sql" / "book_seat_v2.sql"

POSTGRES = """
CREATE FUNCTION majlis_count_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waitlisted' THEN
        UPDATE events_session SET waitlist_length = waitlist_length - 1
        WHERE id = OLD.session_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'waitlisted' THEN
        UPDATE events_session SET waitlist_length = waitlist_length + 1
        WHERE id = NEW.session_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER booking_counts_waiting
AFTER INSERT OR DELETE OR UPDATE OF status, session_id ON bookings_booking
FOR EACH ROW EXECUTE FUNCTION majlis_count_waiting();
"""
POSTGRES_DROP = """
DROP FUNCTION IF EXISTS majlis_book_seat_v2(
    bigint, bigint, text, jsonb, text, boolean, text, text, text, text);
DROP TRIGGER IF EXISTS booking_counts_waiting ON bookings_booking;
DROP FUNCTION IF EXISTS majlis_count_waiting();
"""

BACKFILL = """
UPDATE events_session SET waitlist_length = (
    SELECT count(*) FROM bookings_booking
    WHERE bookings_booking.session_id = events_session.id
      AND bookings_booking.status = 'waitlisted')
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
        schema_editor.execute(BOOK_SEAT_V2.read_text())
    elif vendor == "sqlite":
        create_sqlite_triggers(schema_editor.connection)
    else:
        raise RuntimeError(f"no waiting-list trigger for {vendor}")
    schema_editor.execute(BACKFILL)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        drop_sqlite_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0008_book_seat_function"),
        ("events", "0006_waitlist_length"),
    ]
    operations = [migrations.RunPython(create, drop)]
