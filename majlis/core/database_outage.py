"""A lost or refused database connection answers 503 "try again in a moment",
never a server error with a trace.

During a PostgreSQL restart, a kept-alive connection fails at its next query
(``OperationalError``: the server closed the connection) and new ones are
refused until it is up. Django marks such a connection as broken
(``errors_occurred``) and closes it when the request ends
(``close_old_connections``), so the next request connects afresh; this module
only decides what the person sees meanwhile. The API answers in its own error
shape (majlis/api/apis.py); pages get ``database_unavailable_page``.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from majlis.core.exceptions import DatabaseUnavailable
from majlis.core.middleware import ExceptionPageMiddleware

logger = logging.getLogger(__name__)

# OperationalError: refused, closed by the server, shutting down, starting up;
# InterfaceError: a connection psycopg already knows to be closed.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, CONNECTION_ERRORS)


def database_unavailable_page(request: HttpRequest) -> HttpResponse:
    """A short page in the request's language, status 503 with Retry-After.

    Rendered without the request's context processors: they read the session
    and the user, from the database that is not there.
    """
    error = DatabaseUnavailable()
    response = HttpResponse(
        render_to_string(
            "503.html",
            {"message": error.message, "again_url": request.get_full_path()},
        ),
        status=503,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


class DatabaseOutageMiddleware(ExceptionPageMiddleware):
    """Turns a lost database connection in a page's view into the 503 page."""

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.warning("the database is unavailable: %s", exception)
        return database_unavailable_page(request)
