"""A consistent copy of the whole database in one file, and its restore into an
empty database: `majlis backup` and `majlis restore`.

PostgreSQL: ``pg_dump --format=custom`` reads one snapshot while Majlis
serves; ``pg_restore`` loads it whole, in one transaction, rows before the
triggers and constraints, so that the trigger keeping each session's waiting
counter does not count again the waiting bookings loaded with their session
(README, "Backups"). SQLite: the online backup API copies the database's
pages in one step under a read lock, so a copy taken while Majlis serves is
one moment of it; no trigger fires on pages.

A backup holds every delegate's personal data: the file is made readable by
its owner only, and written whole under another name first, so that a
failed backup never leaves a file that looks like one.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

POSTGRESQL_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Why a backup or a restore was not made, in the reader's language."""


def _fail(message: str) -> BackupError:
    return BackupError(message)


def database_backup(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Write a consistent copy of the database behind ``connection`` to
    ``path`` (replaced if it exists), readable by its owner only."""
    path = path.resolve()
    if not path.parent.is_dir():
        raise _fail(
            _("No folder %(folder)s to write the backup in.") % {"folder": path.parent}
        )
    handle, partial_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    os.close(handle)  # made with mode 0600, which the copy keeps
    partial = Path(partial_name)
    try:
        if connection.vendor == "postgresql":
            _pg_dump(connection, partial)
        elif connection.vendor == "sqlite":
            _sqlite_backup(connection, partial)
        else:
            raise _fail(_("Backups are made of PostgreSQL and SQLite databases only."))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def database_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Load the backup at ``path`` into the empty database behind
    ``connection``; refuse a database that holds any table, and a backup of
    another kind of database."""
    try:
        with path.open("rb") as backup:
            magic = backup.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise _fail(
            _("Cannot read the backup %(path)s: %(error)s")
            % {"path": path, "error": error.strerror}
        ) from error
    expected = {"postgresql": POSTGRESQL_MAGIC, "sqlite": SQLITE_MAGIC}.get(
        connection.vendor
    )
    if expected is None:
        raise _fail(_("Backups are made of PostgreSQL and SQLite databases only."))
    if not magic.startswith(expected):
        raise _fail(
            _(
                "%(path)s is not a backup of a %(kind)s database, which this "
                "one is: nothing was restored."
            )
            % {"path": path, "kind": _vendor_name(connection.vendor)}
        )
    if connection.introspection.table_names():
        raise _fail(
            _(
                "The database is not empty: a backup is restored into a new, "
                "empty database only, so that nothing of the two is mixed. "
                "Nothing was restored."
            )
        )
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore loads it; no session of ours in the way
        _pg_restore(connection, path)
    else:
        _sqlite_restore(connection, path)


def _vendor_name(vendor: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor)


def _libpq(connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """The connection's database, as arguments and environment of PostgreSQL's
    own programs (the password in the environment, never on the command line)."""
    settings = connection.settings_dict
    options = settings.get("OPTIONS", {})
    arguments = ["--dbname", settings["NAME"]]
    if settings.get("USER"):
        arguments += ["--username", settings["USER"]]
    if settings.get("HOST"):
        arguments += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        arguments += ["--port", str(settings["PORT"])]
    environment = {**os.environ}
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            environment[variable] = str(options[option])
    return arguments, environment


def _run(program: str, arguments: list[str], environment: dict[str, str]) -> None:
    found = shutil.which(program)
    if found is None:
        raise _fail(
            _("%(program)s is not installed (Debian's postgresql-client has it).")
            % {"program": program}
        )
    result = subprocess.run(  # noqa: S603
        [found, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise _fail(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": result.stderr.strip()}
        )


def _pg_dump(connection: BaseDatabaseWrapper, partial: Path) -> None:
    arguments, environment = _libpq(connection)
    _run(
        "pg_dump",
        ["--format=custom", "--no-owner", "--file", str(partial), *arguments],
        environment,
    )


def _pg_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    arguments, environment = _libpq(connection)
    _run(
        "pg_restore",
        [
            # The whole dump: tables, rows, then indexes, constraints and
            # triggers; never --data-only into live triggers (README).
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *arguments,
            str(path),
        ],
        environment,
    )


def _sqlite_backup(connection: BaseDatabaseWrapper, partial: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(partial)
    try:
        # In one step: the source's read lock held throughout, one moment.
        source.backup(target)
        # One file, without the -wal a copy in WAL mode would need.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
