"""`majlis backup` and `majlis restore`, on the database the suite runs on
(SQLite and PostgreSQL): a round trip gives back every row of every table,
and a restore into a database that is not empty is refused."""

import contextlib
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections

from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.core.exceptions import AlreadyBooked
from majlis.testing.demo_server import embedded_environment
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAJLIS = str(Path(sys.executable).parent / "majlis")

Rows = dict[str, list[tuple]]


def _fill() -> None:
    """Rows in the tables a conference fills: the demo with bookings and
    check-ins, and a full session whose waiting list moved."""
    call_command("demo", participants=30, book=True, verbosity=0)
    session = SessionFactory(capacity=2)
    for person in ParticipantFactory.create_batch(5, event=session.event):
        booking_create(participant=person, session=session, actor=Actor.delegate())
    first = Booking.objects.filter(
        session=session, status=BookingStatus.CONFIRMED
    ).first()
    assert first is not None
    booking_cancel(booking=first, actor=Actor.delegate())


def _every_row(execute: Callable[[str], tuple[list, list[tuple]]]) -> Rows:
    """Each table's rows in a fixed order; ``execute`` runs a query and gives
    its column names and rows."""
    _columns, names = execute(_TABLES[connection.vendor])
    rows: Rows = {}
    for (table,) in names:
        columns, _rows = execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608
        order = ", ".join(str(position + 1) for position in range(len(columns)))
        rows[table] = execute(f'SELECT * FROM "{table}" ORDER BY {order}')[1]  # noqa: S608
    return rows


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    "postgresql": (
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    ),
}
# What else a PostgreSQL restore must give back: the triggers and functions
# that keep the counters and book in one statement, and where each id
# sequence stands.
_POSTGRESQL_OBJECTS = {
    "triggers": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
    "functions": (
        "SELECT proname FROM pg_proc JOIN pg_namespace n ON n.oid = pronamespace "
        "WHERE nspname = 'public' ORDER BY 1"
    ),
    "sequences": "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1",
}


def _runner(database) -> Callable[[str], tuple[list, list[tuple]]]:
    def execute(sql: str) -> tuple[list, list[tuple]]:
        cursor = database.execute(sql)
        return [c[0] for c in cursor.description], [tuple(r) for r in cursor]

    return execute


def _postgresql_conninfo(name: str) -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=name,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def _postgresql_url(name: str) -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def _source_rows() -> Rows:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return _every_row(_runner(connection.connection))
    name = connection.settings_dict["NAME"]
    with psycopg.connect(_postgresql_conninfo(name)) as source:
        rows = _every_row(_runner(source))
        for kind, sql in _POSTGRESQL_OBJECTS.items():
            rows[kind] = _runner(source)(sql)[1]
    return rows


@contextmanager
def _empty_database(
    folder: Path,
) -> Iterator[tuple[dict[str, str], Callable[[], Rows]]]:
    """The environment of a `majlis` command on a new, empty database, and a
    function that reads every row of it."""
    if connection.vendor == "sqlite":
        environment = embedded_environment(str(folder / "restored"))

        def rows() -> Rows:
            # Read as Django reads the source: its converters (dates).
            restored = sqlite3.connect(
                folder / "restored" / "majlis.sqlite3",
                detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
            )
            try:
                return _every_row(_runner(restored))
            finally:
                restored.close()

        yield environment, rows
        return
    name = f"majlis_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_postgresql_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    environment = {
        **embedded_environment(str(folder / "restored")),
        "DATABASE_URL": _postgresql_url(name),
    }

    def postgresql_rows() -> Rows:
        with psycopg.connect(_postgresql_conninfo(name)) as restored:
            found = _every_row(_runner(restored))
            for kind, sql in _POSTGRESQL_OBJECTS.items():
                found[kind] = _runner(restored)(sql)[1]
        return found

    try:
        yield environment, postgresql_rows
    finally:
        with psycopg.connect(
            _postgresql_conninfo("postgres"), autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _majlis(
    *arguments: str, environment: dict[str, str]
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAJLIS, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restored_into_an_empty_database_gives_back_every_row(tmp_path):
    _fill()
    backup = tmp_path / "majlis.backup"
    call_command("backup", str(backup), verbosity=0)
    # Every delegate's personal data: for its owner's eyes only.
    assert backup.stat().st_mode & 0o777 == 0o600
    source = _source_rows()
    assert len(source["bookings_booking"]) > 30
    assert len(source["bookings_bookingchange"]) > 30
    assert len(source["outbox_outboxmessage"]) > 30

    with _empty_database(tmp_path) as (environment, restored_rows):
        restored = _majlis("restore", str(backup), environment=environment)
        assert restored.returncode == 0, restored.stderr
        rows = restored_rows()

    assert rows.keys() == source.keys()
    for table, expected in source.items():
        assert rows[table] == expected, table


def test_a_restore_into_a_database_that_is_not_empty_is_refused(tmp_path):
    _fill()
    backup = tmp_path / "majlis.backup"
    call_command("backup", str(backup), verbosity=0)
    with _empty_database(tmp_path) as (environment, restored_rows):
        assert _majlis("restore", str(backup), environment=environment).returncode == 0
        before = restored_rows()
        again = _majlis("restore", str(backup), environment=environment)
        in_french = _majlis(
            "restore", str(backup), environment={**environment, "LANG": "fr_FR.UTF-8"}
        )
        after = restored_rows()
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr
    assert "Nothing was restored." in again.stderr
    assert in_french.returncode == 1
    assert "La base de données n'est pas vide" in in_french.stderr
    assert after == before


def test_a_backup_of_the_other_kind_of_database_is_refused(tmp_path):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP" + bytes(100))
    else:
        sqlite3.connect(other).close()
        other.write_bytes(b"SQLite format 3\x00" + bytes(100))
    with _empty_database(tmp_path) as (environment, _rows):
        refused = _majlis("restore", str(other), environment=environment)
    assert refused.returncode == 1
    assert "is not a backup of a" in refused.stderr


COUNTERS = """
SELECT s.code, s.seats_taken, s.waitlist_length,
       (SELECT count(*) FROM bookings_booking b
        WHERE b.session_id = s.id AND b.status = 'confirmed'),
       (SELECT count(*) FROM bookings_booking b
        WHERE b.session_id = s.id AND b.status = 'waitlisted')
FROM events_session s ORDER BY s.code
"""


@pytest.mark.usefixtures("on_postgres")
def test_a_backup_taken_while_delegates_book_and_cancel_is_one_moment(tmp_path):
    """Bookings and cancellations go on in other connections while pg_dump
    reads: each session's counters in the backup equal its bookings there."""
    session = SessionFactory(capacity=3)
    people = ParticipantFactory.create_batch(12, event=session.event)
    stop = threading.Event()
    changes = 0

    def busy() -> None:
        nonlocal changes
        try:
            while not stop.is_set():
                for person in people:
                    with contextlib.suppress(AlreadyBooked):
                        booking_create(
                            participant=person, session=session, actor=Actor.delegate()
                        )
                        changes += 1
                for booking in Booking.objects.filter(
                    session=session, status__in=["confirmed", "waitlisted"]
                ).order_by("?")[:6]:
                    booking_cancel(booking=booking, actor=Actor.delegate())
                    changes += 1
        finally:
            connections.close_all()

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        while changes < 20:
            time.sleep(0.05)
        before = changes
        backups = []
        for number in range(3):
            backup = tmp_path / f"majlis-{number}.backup"
            call_command("backup", str(backup), verbosity=0)
            backups.append(backup)
        during = changes - before
    finally:
        stop.set()
        worker.join(timeout=60)
    assert during > 0, "no booking changed while the backups were made"

    for backup in backups:
        with _empty_database(tmp_path / backup.stem) as (environment, _rows):
            restored = _majlis("restore", str(backup), environment=environment)
            assert restored.returncode == 0, restored.stderr
            name = environment["DATABASE_URL"].rsplit("/", 1)[1]
            with psycopg.connect(_postgresql_conninfo(name)) as database:
                counters = database.execute(COUNTERS).fetchall()
        assert counters, backup
        for code, seats_taken, waiting, confirmed, waitlisted in counters:
            assert (seats_taken, waiting) == (confirmed, waitlisted), (backup, code)
