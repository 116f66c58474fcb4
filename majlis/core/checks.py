"""Deployment checks of Django's that Majlis answers in its own way."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def csrf_middleware_in_place(**_kwargs: Any) -> list[CheckMessage]:
    """Django's own check (security.W003, silenced in the settings) looks for
    its middleware by name; Majlis's passes over the API's paths only, so a
    subclass of it counts."""
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        if isinstance(middleware, type) and issubclass(middleware, CsrfViewMiddleware):
            return []
    return [
        Warning(
            "No CSRF middleware (django.middleware.csrf.CsrfViewMiddleware or a "
            "subclass of it) in MIDDLEWARE: the pages' forms are unprotected.",
            id="majlis.W001",
        )
    ]
