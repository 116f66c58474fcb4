"""The fault tests: real `majlis serve` processes on PostgreSQL, broken while
they work (docs/RELIABILITY.md, "Faults"). They commit what they make, as the
servers must see it, so they run with transactional test databases.

Two more faults live beside what they break: PostgreSQL restarted under load
(majlis/api/tests/test_database_restart.py, marked ``restarts_database``, as
it restarts the machine's cluster) and nothing of a killed serve left running
(../test_killed_serve.py)."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def on_postgresql(transactional_db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the fault tests run real servers on PostgreSQL, the production "
            "database; `make test` runs them in its PostgreSQL pass"
        )
