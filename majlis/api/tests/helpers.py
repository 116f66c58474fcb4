"""Small helpers shared by the API tests (assertions rewritten by pytest, see conftest)."""

from typing import Any
from uuid import uuid4

from django.http import HttpResponse
from django.test import Client

from majlis.bookings.models import Booking
from majlis.events.models import Event

API = "/api/v1"


def unique(prefix: str) -> str:
    """A slug or name no other test (nor a suite running beside this one on the
    same test database) uses."""
    return f"{prefix}-{uuid4().hex[:10]}"


def bookings_in(event: Event):
    """The bookings of one event: checks never count rows that are not the test's own."""
    return Booking.objects.filter(session__event=event)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(response: HttpResponse, status: int) -> dict[str, Any]:
    """The ``error`` object of an answer, once its status and shape are checked.

    Every error must be JSON ``{"error": {"code", "message"[, "details"]}}`` with a
    non-empty message.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    if "details" in error:
        assert isinstance(error["details"], dict), error
    return error


def book(
    client: Client,
    headers: dict[str, str],
    event: str,
    code: str,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = None,
) -> HttpResponse:
    """POST a booking with a JSON body (``{}`` unless given), and an Idempotency-Key."""
    return client.post(
        f"{API}/events/{event}/sessions/{code}/bookings",
        data=body if body is not None else {},
        content_type="application/json",
        headers={**headers, **({"Idempotency-Key": key} if key else {})},
    )


def my_bookings(client: Client, headers: dict[str, str]) -> dict[str, dict]:
    """A delegate's bookings from ``GET /me/bookings``, by session code (latest first wins)."""
    response = client.get(f"{API}/me/bookings", headers=headers)
    assert response.status_code == 200, response.content
    found: dict[str, dict] = {}
    for item in response.json()["bookings"]:
        found.setdefault(item["session"], item)
    return found
