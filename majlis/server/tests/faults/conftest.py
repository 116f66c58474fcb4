"""The fault tests: real `majlis serve` processes on PostgreSQL, broken while
they work (docs/RELIABILITY.md, "Faults"). They commit what they make, as the
servers must see it, so they run with transactional test databases."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def on_postgresql(transactional_db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the fault tests run real servers on PostgreSQL, the production "
            "database; `make test` runs them in its PostgreSQL pass"
        )
