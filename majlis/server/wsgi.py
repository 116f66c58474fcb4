import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

from majlis.server.lifetime import granian_worker_dies_with_granian
from majlis.server.warmup import warm_up

# First, so that a worker whose Granian died while it started does not go on.
granian_worker_dies_with_granian()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_wsgi_application()

# The variables a WSGI server puts in every request: never taken for the
# process's own environment, even where a variable of that name is set.
_REQUEST_VARIABLES = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "GATEWAY_INTERFACE",
        "PATH_INFO",
        "QUERY_STRING",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
    }
)


def _process_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in _REQUEST_VARIABLES and not name.startswith("HTTP_")
    }


_PROCESS_ENVIRONMENT = _process_environment()


def application(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """Django, given only the request.

    Granian copies the server process's environment into every request, as
    CGI did; Django would then carry DATABASE_URL and the secret key in
    ``request.META``, where error reports and debugging tools look.
    """
    for name, value in _PROCESS_ENVIRONMENT.items():
        if environ.get(name) == value:
            del environ[name]
    return django_application(environ, start_response)


warm_up()
