"""The backup and restore of a PostgreSQL database, as the README tells an
operator to do it: the counters come back equal to the rows, the waiting
list's (kept by a trigger) not counted again as its bookings are loaded."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import ParticipantFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
]

COUNTERS = """
SELECT s.code, s.seats_taken, s.waitlist_length,
       count(*) FILTER (WHERE b.status = 'confirmed'),
       count(*) FILTER (WHERE b.status = 'waitlisted')
FROM events_session s LEFT JOIN bookings_booking b ON b.session_id = s.id
GROUP BY s.id ORDER BY s.code
"""


def _libpq_arguments(database: str) -> list[str]:
    settings = connection.settings_dict
    arguments = ["--dbname", database, "--username", settings["USER"] or "postgres"]
    if settings["HOST"]:
        arguments += ["--host", settings["HOST"]]
    if settings["PORT"]:
        arguments += ["--port", str(settings["PORT"])]
    return arguments


def _conninfo(database: str) -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=database,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


@pytest.fixture
def restored_database():
    name = f"majlis_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _restore(dump, database: str, *options: str) -> None:
    subprocess.run(
        ["pg_restore", "--no-owner", *options, *_libpq_arguments(database), str(dump)],
        check=True,
    )


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs PostgreSQL's client")
@pytest.mark.parametrize("how", ["whole", "schema, then data with triggers off"])
def test_a_restored_dump_keeps_every_counter(tmp_path, restored_database, how):
    session = SessionFactory(capacity=2)
    for person in ParticipantFactory.create_batch(5, event=session.event):
        booking_create(participant=person, session=session, actor=Actor.delegate())
    dump = tmp_path / "majlis.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(dump), *_libpq_arguments(source)],
        check=True,
    )

    if how == "whole":
        _restore(dump, restored_database)
    else:
        _restore(dump, restored_database, "--schema-only")
        _restore(dump, restored_database, "--data-only", "--disable-triggers")

    with psycopg.connect(_conninfo(restored_database)) as restored:
        rows = restored.execute(COUNTERS).fetchall()
    assert rows == [(session.code, 2, 3, 2, 3)]
