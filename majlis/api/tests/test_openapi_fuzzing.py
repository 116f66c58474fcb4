"""Schemathesis drives every operation of the OpenAPI document through the
WSGI application Granian serves: no answer is a server error, and every
answer's status, headers and body are the ones the document lists.

Cases carry a delegate's token or an integration's key, as each operation
asks, and their path parameters are either generated or those of a real
event, session, delegate and booking, so that they reach the code behind
the 401s and 404s. The rate limits stay on: a client meets them too. The
number of cases is printed and held above ``MINIMUM_CASES``
(docs/RELIABILITY.md).
"""

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation

from config.wsgi import application
from majlis.accounts.services import api_key_create, participant_token_create
from majlis.bookings.services import Actor, booking_create
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

from .helpers import API, unique
from .test_documented_statuses import ninja_operations, view_functions

MINIMUM_CASES = 1000
EXAMPLES_PER_OPERATION = 60

# Each operation's authentication, by its operationId.
AUTHS = {
    operation_id: ninja_operations()[view].auth_callbacks
    for operation_id, view in view_functions().items()
    if view in ninja_operations()
}


@pytest.fixture
def known(db) -> Iterator[dict]:
    """A real event open for booking: a session with seats, a full one with a
    waiting list, a delegate with bookings, an integration's key."""
    event = EventFactory(slug=unique("fuzzed"), is_demo=True)
    start = timezone.now() + timedelta(days=2)
    roomy = SessionFactory(event=event, code="roomy", capacity=50, starts_at=start)
    full = SessionFactory(
        event=event,
        code="full",
        capacity=1,
        has_waitlist=True,
        starts_at=start + timedelta(hours=3),
        ends_at=start + timedelta(hours=4),
    )
    delegate = ParticipantFactory(event=event)
    other = ParticipantFactory(event=event)
    booking_create(participant=other, session=full, actor=Actor.delegate())
    booking = booking_create(
        participant=delegate, session=roomy, actor=Actor.delegate()
    )
    # Django's test client does the same: the connection is the test's
    # transaction, which a request's end must not close.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        real.update(
            event=[event.slug],
            code=[roomy.code, full.code],
            email=[delegate.email, other.email],
            booking_id=[booking.pk],
            delegate=delegate,
            key=api_key_create(name=unique("fuzzing"), event=event),
        )
        yield real
    finally:
        real.clear()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# The document as the server serves it (reading it touches no database).
schema = schemathesis.openapi.from_wsgi(
    f"{API}/openapi.json",
    application,
    config=SchemathesisConfig.from_dict(
        {
            "checks": {
                # Valid data may also meet a conflict the document lists:
                # 409 (booked already) and 422 (an Idempotency-Key sent
                # before with another request: generated keys repeat).
                "positive_data_acceptance": {
                    "expected-statuses": [
                        *("2xx", "401", "403", "404", "409", "422", "429")
                    ]
                }
            }
        }
    ),
)
# The real path parameters and credentials of the test running (``known``).
real: dict = {}


@schema.hook
def flatmap_case(context, case):
    """A case's path parameters, each either generated or a real one, unless
    the case is a negative one about its path (a real value would make it
    valid)."""
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if not case.path_parameters or (component and component.mode.is_negative):
        return st.just(case)

    def with_path(parameters: dict) -> object:
        case.path_parameters = parameters
        return case

    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *real.get(name, [])])
            for name, value in case.path_parameters.items()
        }
    ).map(with_path)


@schema.hook
def filter_failure(context, failure, case, response) -> bool:
    """Drop schemathesis's own mistake: a case marked negative that it
    describes itself as a positive test case (seen twice on PUT of a delegate:
    a valid body and address, such as ``0@0.com``, taken for invalid data)."""
    data = case.meta.phase.data if case.meta else None
    return not (
        isinstance(failure, AcceptedNegativeData)
        and "positive test case" in (getattr(data, "description", "") or "").lower()
    )


@schema.auth(refresh_interval=None)
class Credentials:
    """The credential each operation asks for: an integration's key where only
    a key passes, otherwise a new token of the delegate (one operation signs
    out the token it carries)."""

    def get(self, case, context) -> str | None:
        auths = AUTHS[case.operation.definition.raw["operationId"]]
        if not auths or not real:  # no test running: pytest collecting
            return None
        if not any(auth.participants for auth in auths):
            return real["key"]
        return participant_token_create(participant=real["delegate"])

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def statuses() -> Iterator[dict[str, Counter[int]]]:
    """The statuses answered, by operation, printed and counted at the end."""
    answered: dict[str, Counter[int]] = defaultdict(Counter)
    started = time.monotonic()
    yield answered
    seconds = time.monotonic() - started
    total = sum(sum(counts.values()) for counts in answered.values())
    # Refused for their credential, cases test the authentication alone.
    past_authentication = total - sum(counts[401] for counts in answered.values())
    print(
        f"\nschemathesis: {total} cases ({past_authentication} past the"
        f" authentication), {len(answered)} operations, {seconds:.1f} s"
    )
    for label, counts in sorted(answered.items()):
        print(f"  {sum(counts.values()):5d}  {label}  {dict(sorted(counts.items()))}")
    assert past_authentication >= MINIMUM_CASES


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_openapi_document(case, known, statuses):
    if real and not case.operation.schema.is_security_param_negated(case):
        # Cases built as pytest collects (the coverage phase's) carry none
        # yet: no header, or "Bearer " with nothing after it.
        credential = Credentials().get(case, None)
        given = (case.headers or {}).get("Authorization", "")
        if credential and not given.removeprefix("Bearer").strip():
            Credentials().set(case, credential, None)
    # The answers are read as sent; compressed ones (GZipMiddleware) would
    # reach the checks as bytes that no JSON parser reads.
    case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
    response = case.call()
    statuses[case.operation.label][response.status_code] += 1
    case.validate_response(response)
