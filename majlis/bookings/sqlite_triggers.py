"""The waiting counter's triggers on SQLite, kept across migrations.

SQLite alters most columns by rebuilding a table (create, copy, drop, rename):
a rebuild of ``bookings_booking`` silently drops its triggers, and a rebuild of
``events_session`` fails while a trigger names it. So every ``migrate`` drops
them first and puts them back after, recounting the waiting lists (see
``BookingsConfig.ready``). PostgreSQL alters tables in place and keeps its
trigger (migration bookings/0009).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TRIGGERS = {
    "booking_waiting_inserted": """
        AFTER INSERT ON bookings_booking WHEN NEW.status = 'waitlisted' BEGIN
            UPDATE events_session SET waitlist_length = waitlist_length + 1
            WHERE id = NEW.session_id;
        END""",
    "booking_waiting_deleted": """
        AFTER DELETE ON bookings_booking WHEN OLD.status = 'waitlisted' BEGIN
            UPDATE events_session SET waitlist_length = waitlist_length - 1
            WHERE id = OLD.session_id;
        END""",
    "booking_waiting_left": """
        AFTER UPDATE OF status, session_id ON bookings_booking
        WHEN OLD.status = 'waitlisted' BEGIN
            UPDATE events_session SET waitlist_length = waitlist_length - 1
            WHERE id = OLD.session_id;
        END""",
    "booking_waiting_joined": """
        AFTER UPDATE OF status, session_id ON bookings_booking
        WHEN NEW.status = 'waitlisted' BEGIN
            UPDATE events_session SET waitlist_length = waitlist_length + 1
            WHERE id = NEW.session_id;
        END""",
}

RECOUNT = """
UPDATE events_session SET waitlist_length = (
    SELECT count(*) FROM bookings_booking
    WHERE bookings_booking.session_id = events_session.id
      AND bookings_booking.status = 'waitlisted')
"""


def _tables(connection: BaseDatabaseWrapper) -> set[str]:
    return set(connection.introspection.table_names())


def create_sqlite_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (if the tables exist) and recount the waiting lists."""
    if connection.vendor != "sqlite":
        return
    if not {"bookings_booking", "events_session"} <= _tables(connection):
        return
    with connection.cursor() as cursor:
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(RECOUNT)


def drop_sqlite_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
