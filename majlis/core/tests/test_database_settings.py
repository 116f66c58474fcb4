"""How Majlis talks to its database: prepared statements on PostgreSQL, unless
a pooler in front of it cannot keep them."""

import pytest
from django.db import connection

from config.settings.base import database_from_env

POSTGRES_URL = "postgres://majlis@db.example:5432/majlis"


def test_postgres_binds_parameters_on_the_server_and_prepares_repeated_statements(
    monkeypatch,
):
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    monkeypatch.delenv("MAJLIS_DB_PREPARED_STATEMENTS", raising=False)

    options = database_from_env()["OPTIONS"]

    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    monkeypatch.setenv("MAJLIS_DB_PREPARED_STATEMENTS", "0")

    options = database_from_env().get("OPTIONS", {})

    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_sqlite_keeps_its_own_options(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")

    options = database_from_env()["OPTIONS"]

    assert "server_side_binding" not in options
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_a_statement_run_five_times_is_prepared_on_its_connection():
    statement = "SELECT count(*) FROM events_event WHERE slug = %s"
    with connection.cursor() as cursor:
        for attempt in range(6):
            cursor.execute(statement, [f"no-such-event-{attempt}"])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]

    assert "SELECT count(*) FROM events_event WHERE slug = $1" in prepared
