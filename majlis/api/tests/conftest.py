"""Fixtures of the API tests: an event, an integration's key and delegates' tokens,
all made through the services, as production makes them."""

from collections.abc import Callable

import pytest
from django.core.cache import caches

# Before the helpers are first imported, so that their asserts explain failures.
pytest.register_assert_rewrite("majlis.api.tests.helpers")

from majlis.accounts.models import Participant  # noqa: E402
from majlis.accounts.services import (  # noqa: E402
    api_key_create,
    participant_token_create,
)
from majlis.api.tests.helpers import unique  # noqa: E402
from majlis.events.models import Event  # noqa: E402
from majlis.testing.factories import EventFactory, ParticipantFactory  # noqa: E402


@pytest.fixture
def event(db) -> Event:
    return EventFactory(slug=unique("future-of-work"))


@pytest.fixture
def other_event(db) -> Event:
    return EventFactory(slug=unique("other-conference"))


@pytest.fixture
def api_key(db) -> str:
    return api_key_create(name=unique("registration system"), event=None)


@pytest.fixture
def as_integration(api_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def token_headers(db) -> Callable[[Participant], dict[str, str]]:
    """Headers carrying a fresh token of the given delegate."""

    def make(participant: Participant) -> dict[str, str]:
        token = participant_token_create(participant=participant)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def delegate(event) -> Participant:
    return ParticipantFactory(event=event, email="amina@example.org")


@pytest.fixture
def as_delegate(delegate, token_headers) -> dict[str, str]:
    return token_headers(delegate)


@pytest.fixture
def empty_token_memory():
    """This process remembers no delegate's token before or after the test."""
    caches["tokens"].clear()
    yield
    caches["tokens"].clear()
