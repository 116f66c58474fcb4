"""A lost or refused database connection answers 503 with Retry-After (the API
in its error shape, pages with a short "try again" page), never a server error;
the broken connection is dropped, so the next request works.

The real thing, a PostgreSQL restart under load against `majlis serve`, is
test_database_restart.py."""

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.db.backends.utils import CursorWrapper
from django.test import Client

from majlis.api.tests.helpers import API, error_of
from majlis.core.middleware import ApiLanguageMiddleware, WebSessionMiddleware
from majlis.testing.factories import SessionFactory


@contextmanager
def database_gone(monkeypatch) -> Iterator[None]:
    """Every statement fails as on a connection the server has closed, raised
    through Django's wrapper as the driver would raise it (so the connection is
    marked as having failed)."""

    def closed(self: CursorWrapper, *args: object, **kwargs: object) -> None:
        with self.db.wrap_database_errors:
            raise self.db.Database.OperationalError(
                "server closed the connection unexpectedly"
            )

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "_execute", closed)
        patch.setattr(CursorWrapper, "_executemany", closed)
        yield


@pytest.mark.django_db
def test_the_api_answers_503_with_retry_after_in_its_error_shape(
    client, event, monkeypatch
):
    SessionFactory(event=event)

    with database_gone(monkeypatch):
        answer = client.get(f"{API}/events/{event.slug}/sessions?lang=fr")

    error = error_of(answer, 503)
    assert error["code"] == "unavailable"
    assert error["message"] == (
        "Majlis ne peut pas répondre pour l'instant. Veuillez réessayer dans un instant."
    )
    assert answer["Retry-After"] == "5"
    assert client.get(f"{API}/events/{event.slug}/sessions").status_code == 200


@pytest.mark.django_db
def test_a_delegate_s_token_that_cannot_be_looked_up_is_a_503_not_a_401(
    client, as_delegate, monkeypatch
):
    with database_gone(monkeypatch):
        answer = client.get(f"{API}/me/bookings", headers=as_delegate)

    assert error_of(answer, 503)["code"] == "unavailable"
    assert answer["Retry-After"] == "5"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Try again in a moment"), ("ar", "أعد المحاولة بعد قليل")],
)
def test_a_page_answers_a_short_try_again_page(
    client, event, monkeypatch, language, title
):
    with database_gone(monkeypatch):
        answer = client.get(f"/{language}/e/{event.slug}/")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    page = answer.content.decode()
    assert f"<title>{title}</title>" in page
    assert f'lang="{language}"' in page
    assert "Traceback" not in page
    assert f'href="/{language}/e/{event.slug}/"' in page
    assert client.get(f"/{language}/e/{event.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_database_lost_outside_any_view_is_the_same_503(event, monkeypatch):
    """In a middleware, after or before the view: a page's session saved, say."""

    def fails(*args: object) -> None:
        with connection.wrap_database_errors:
            raise connection.Database.OperationalError("terminating connection")

    monkeypatch.setattr(WebSessionMiddleware, "process_response", fails)
    monkeypatch.setattr(ApiLanguageMiddleware, "__call__", fails)
    browser = Client(raise_request_exception=False)

    page = browser.get(f"/en/e/{event.slug}/")
    api = browser.get(f"{API}/events/{event.slug}/sessions")

    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "Try again in a moment" in page.content.decode()
    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert error_of(api, 503)["code"] == "unavailable"


def _get(handler: WSGIHandler, path: str) -> tuple[int, bytes]:
    """One request as a WSGI server makes it, with Django's request_started and
    request_finished signals (which close broken connections), unlike the
    test client."""
    seen: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    response = handler(environ, lambda status, headers: seen.append(status))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(seen[0].split()[0]), body


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
@pytest.mark.parametrize("kind", ["api", "page"])
def test_a_connection_the_server_closed_answers_503_and_is_dropped(event, kind):
    """PostgreSQL ends the kept-alive connection (as a restart does); the next
    request opens a new one."""
    path = (
        f"{API}/events/{event.slug}/sessions"
        if kind == "api"
        else f"/en/e/{event.slug}/"
    )
    handler = WSGIHandler()
    assert _get(handler, path)[0] == 200
    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [victim])
    finally:
        other.close()

    status, body = _get(handler, path)

    assert status == 503, body
    assert connection.connection is None, "the broken connection was kept"
    assert _get(handler, path)[0] == 200
