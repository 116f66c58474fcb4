"""The logs carry no email address and no token (docs/SECURITY.md, "Logs")."""

import io
import logging
from collections.abc import Iterator

import pytest

from majlis.accounts.services import participant_token_create
from majlis.bookings.services import Actor, booking_create
from majlis.core.log_redaction import RedactPersonalData, redact
from majlis.testing.factories import ParticipantFactory, SessionFactory

ADDRESS = "ann.o+conf@example.org"
TOKEN = "mjp_k3Y-secret_Value42"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured handlers write, in place of standard error."""
    ours = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    assert ours, "the settings configure a redacting console handler"
    output = io.StringIO()
    # Swapped, not set with setStream(), which flushes the stream it replaces:
    # the standard error of an earlier test's capture may be closed by now.
    previous = [h.stream for h in ours]
    for handler in ours:
        handler.stream = output
    try:
        yield output
    finally:
        for handler, stream in zip(ours, previous, strict=True):
            handler.stream = stream


def test_every_handler_redacts_and_django_has_no_handler_of_its_own():
    for handler in logging.getLogger().handlers:
        if type(handler).__module__.startswith("_pytest"):
            continue  # pytest's capture, outside the settings
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters), handler
    for name in ("django", "django.request", "django.server", "granian.access"):
        assert logging.getLogger(name).handlers == [], name


@pytest.mark.django_db
def test_a_404_on_an_api_path_with_an_address_and_a_token_logs_neither(
    client, log_output
):
    path = f"/api/v1/events/no-such-event/participants/{ADDRESS}/{TOKEN}"
    answer = client.get(
        path + f"?access_token={TOKEN}", headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert answer.status_code == 404
    written = log_output.getvalue()
    assert "Not Found: /api/v1/events/no-such-event/participants/[email]/" in written
    assert "mjp_[redacted]" in written
    assert ADDRESS not in written
    assert "example.org" not in written
    assert "k3Y-secret" not in written


@pytest.mark.django_db
def test_a_404_on_a_page_with_a_sign_in_token_logs_no_token(client, log_output):
    answer = client.get("/en/e/no-such-event/sign-in/Zm9vYmFyYmF6cXV4/")

    assert answer.status_code == 404
    written = log_output.getvalue()
    assert "Not Found: /en/e/no-such-event/sign-in/[redacted]/" in written
    assert "Zm9vYmFyYmF6cXV4" not in written


def test_a_traceback_loses_its_addresses_too(log_output):
    try:
        raise ValueError(f"Key (email)=({ADDRESS}) already exists.")
    except ValueError:
        logging.getLogger("majlis.test").exception("could not import %s", ADDRESS)

    written = log_output.getvalue()
    assert "could not import [email]" in written
    assert "Key (email)=([email]) already exists." in written
    assert ADDRESS not in written


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"PUT /api/v1/events/x/participants/{ADDRESS.replace('@', '%40')}",
            "PUT /api/v1/events/x/participants/[email]",
        ),
        (
            "GET /fr/backoffice/set-password/MQ/c4d-5e6f/ 302",
            "GET /fr/backoffice/set-password/[redacted]/ 302",
        ),
        (
            f"GET /api/v1/me/bookings?lang=fr&token={TOKEN}&x=1",
            "GET /api/v1/me/bookings?lang=fr&token=[redacted]&x=1",
        ),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
        (
            "key mjk_AAAA-bbbb for integration 3",
            "key mjk_[redacted] for integration 3",
        ),
        # A delegate's calendar subscription: its path is the secret.
        (
            "Service Unavailable: /calendar/mjc_Ab-9xYz_01.ics",
            "Service Unavailable: /calendar/mjc_[redacted].ics",
        ),
        # Nothing personal: unchanged.
        (
            "GET /en/e/child-labour-2026/s/targets-2030/ 200",
            "GET /en/e/child-labour-2026/s/targets-2030/ 200",
        ),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


@pytest.mark.django_db
def test_a_refusal_is_not_logged_and_a_fault_still_is(client, log_output):
    """A 409 (a booking refused: already booked, a time conflict) is an
    answer: a crowd draws thousands. Other 4xx answers are still written."""
    session = SessionFactory()
    person = ParticipantFactory(event=session.event)
    booking_create(participant=person, session=session, actor=Actor.delegate())
    token = participant_token_create(participant=person)
    path = f"/api/v1/events/{session.event.slug}/sessions/{session.code}/bookings"

    refused = client.post(
        path,
        {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    missing = client.get(f"/api/v1/events/{session.event.slug}/sessions/no-such-code")

    assert (refused.status_code, missing.status_code) == (409, 404)
    written = log_output.getvalue()
    assert "Conflict:" not in written
    assert "Not Found: /api/v1/events/" in written
