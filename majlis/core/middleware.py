from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, permission_denied

from majlis.core.exceptions import NotFound, PermissionDenied


class ApiLanguageMiddleware:
    """Lets an API caller pick the language of texts and messages with ``?lang=``.

    Without it, LocaleMiddleware has already chosen from Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            wanted = request.GET.get("lang", "")
            if wanted in self.codes:
                translation.activate(wanted)
                request.LANGUAGE_CODE = wanted
        return self.get_response(request)


class NotFoundMiddleware:
    """Shows the ordinary 404 or 403 page when a selector finds nothing, or an
    access check refuses, for a web page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return page_not_found(request, Http404())
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, DjangoPermissionDenied())
        return None


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with a bare 405; the API promises one
    error shape everywhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and response.status_code == 405:
            allowed = response.get("Allow", "")
            body = {
                "error": {
                    "code": "method_not_allowed",
                    "message": str(
                        _(
                            "This address does not accept %(method)s; it accepts %(allowed)s."
                        )
                        % {"method": request.method, "allowed": allowed}
                    ),
                }
            }
            replacement = JsonResponse(body, status=405)
            if allowed:
                replacement["Allow"] = allowed
            return replacement
        return response
