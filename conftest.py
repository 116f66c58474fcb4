import os

import pytest
from django.db import connection


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session", autouse=True)
def _postgres_required_in_ci(django_db_setup, django_db_blocker):
    """With MAJLIS_REQUIRE_POSTGRES set (as `make test` does for its second run), a
    suite that silently ran on SQLite would prove nothing about locks: fail."""
    if os.environ.get("MAJLIS_REQUIRE_POSTGRES"):
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "PostgreSQL was required"
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """In `make test`'s PostgreSQL run, the tests of a `majlis serve` on a
    database of its own are skipped: they ran in the SQLite run, and would
    only run again the same (minutes of the suite)."""
    if not os.environ.get("MAJLIS_REQUIRE_POSTGRES"):
        return
    ran_before = pytest.mark.skip(
        reason="`majlis serve` on a SQLite database of its own: run in the SQLite run"
    )
    for item in items:
        if item.get_closest_marker("serves_its_own_database"):
            item.add_marker(ran_before)


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and exclusion constraints")


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A test that activates a language (a command, a template) must not leave it
    to the next test."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no action counted against any rate limit."""
    from majlis.core import ratelimit

    ratelimit._limiter = None
    yield
    ratelimit._limiter = None


class _Clock:
    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def rate_limit_clock() -> _Clock:
    """The rate limits' time, moved forward by ``advance(seconds)``."""
    from majlis.core.ratelimit import limiter

    clock = _Clock()
    limiter().clock = clock
    return clock


# In CI the property tests replay the same examples every run, so a landing
# never depends on luck; on developers' machines they explore new ones.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
