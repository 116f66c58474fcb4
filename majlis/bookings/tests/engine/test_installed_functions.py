"""The functions in the database are the ones in the source tree, and the
history that installed them is never edited (majlis/bookings/sql/README.md)."""

import hashlib
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

import majlis.bookings

SQL = Path(majlis.bookings.__file__).resolve().parent / "sql"

# The migrations that installed SQL, as they were released. A new one is added
# here; an edited one fails: history must keep building what it built.
HISTORY = {
    "0008_book_seat_function": (
        "ca49656fb8fcba4f4128495bd534158d14f7c46cf9a47d38f43d28350363cc7f"
    ),
    "0009_waitlist_length_trigger": (
        "1d245f9bbea10656ee7f8c45feb5125e8a6d00debd2519cbfb50af2582d928cf"
    ),
    "0010_cancel_booking_function": (
        "235e3700c75ce9b4fa6875c45ab342a7a69f34074e975923bf19f0f60dce3827"
    ),
    "0011_one_engine_per_database": (
        "62a353697a559a83b745b392b6ad4febbb5c5da7d4f89417243f577456bcc6bc"
    ),
    "0012_access_needs_of_a_cancelled_booking": (
        "2c7910497c04f22c9bb4fba83edc48e441310a377e3c2667394e2867c7b888ed"
    ),
    "0013_release_keeps_seats_given_late": (
        "1ee71086d20f47e3eb9aad0008d29de5725303e36e4ac511a02716b42b895ee2"
    ),
}


def source_functions() -> dict[str, str]:
    """Each file of majlis/bookings/sql/ creates the function named after it."""
    return {
        f"majlis_{path.stem}": path.read_text() for path in sorted(SQL.glob("*.sql"))
    }


def bookings_migrations() -> list:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        (m for (app, _name), m in loader.disk_migrations.items() if app == "bookings"),
        key=lambda migration: migration.name,
    )


def test_each_file_creates_the_function_it_is_named_after():
    for name, text in source_functions().items():
        assert f"CREATE OR REPLACE FUNCTION {name}(" in text, name
        assert text.count("CREATE OR REPLACE FUNCTION") == 1, name


def test_the_latest_migration_of_each_function_installs_its_file_as_it_reads():
    """Editing a .sql file without a new migration fails here."""
    latest: dict[str, tuple[str, str]] = {}
    for migration in bookings_migrations():
        module = sys.modules[type(migration).__module__]
        for name, text in getattr(module, "FUNCTIONS", {}).items():
            latest[name] = (migration.name, text)
    for name, text in source_functions().items():
        assert name in latest, f"no migration installs {name}"
        installed_by, installed = latest[name]
        assert installed == text, (
            f"majlis/bookings/sql/{name.removeprefix('majlis_')}.sql differs from "
            f"what migration {installed_by} installs: add a migration that installs "
            "the new text (never edit one already written)"
        )


def test_no_migration_that_installed_sql_is_ever_edited():
    installing = {}
    for migration in bookings_migrations():
        path = Path(sys.modules[type(migration).__module__].__file__ or "")
        source = path.read_bytes()
        if b"CREATE FUNCTION" in source or b"CREATE OR REPLACE FUNCTION" in source:
            installing[migration.name] = hashlib.sha256(source).hexdigest()
    assert set(installing) == set(HISTORY), (
        "list each migration that installs SQL in HISTORY, with its sha256"
    )
    for name, digest in installing.items():
        assert digest == HISTORY[name], (
            f"migration {name} was edited: history must keep building what it "
            "built; write a new migration instead"
        )


FUNCTIONS_IN = r"""
SELECT p.proname, pg_get_function_identity_arguments(p.oid),
       pg_get_function_result(p.oid), l.lanname, p.provolatile, p.prosrc
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = %s AND p.proname LIKE 'majlis\_%%'
ORDER BY 1, 2
"""


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_the_database_holds_exactly_the_functions_of_the_source_tree():
    """Every majlis_ function installed is one of majlis/bookings/sql/, as its
    file reads (created again in a scratch schema to compare), and no other:
    the versions replaced were dropped."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA majlis_source")
        cursor.execute("SET LOCAL search_path = majlis_source, public")
        for text in source_functions().values():
            cursor.execute(text)
        cursor.execute(FUNCTIONS_IN, ["majlis_source"])
        in_the_files = cursor.fetchall()
        cursor.execute(FUNCTIONS_IN, ["public"])
        installed = cursor.fetchall()
        transaction.set_rollback(True)

    assert [row[0] for row in installed] == sorted(source_functions())
    assert installed == in_the_files
