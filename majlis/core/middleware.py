from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseForbidden,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, permission_denied

from majlis.core.exceptions import NotFound, PermissionDenied, TooManyRequests

API_PATH_PREFIX = "/api/"


class _WebPagesOnly:
    """Middleware that only web pages need, passed over on the API's paths.

    The API authenticates with bearer tokens and answers JSON: sessions, CSRF
    cookies, signed-in users and flash messages are work it never uses, a
    tenth to a fifth of a constant answer's time in Django (bench/micro.py). Common
    middleware stays on every path: it checks the Host header and gives each
    answer its Content-Length, without which Granian sends them chunked. The
    classes keep their place in ``MIDDLEWARE``, so tests run the same chain as
    production.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PATH_PREFIX):
            return self.get_response(request)  # type: ignore[attr-defined]
        return super().__call__(request)  # type: ignore[misc]


class WebSessionMiddleware(_WebPagesOnly, SessionMiddleware):
    pass


class WebCsrfViewMiddleware(_WebPagesOnly, CsrfViewMiddleware):
    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., HttpResponseBase],
        callback_args: tuple,
        callback_kwargs: dict,
    ) -> HttpResponseForbidden | None:
        # The API's views are CSRF-exempt (django-ninja checks CSRF itself for
        # an endpoint that takes a cookie); nothing was read for them above.
        if request.path_info.startswith(API_PATH_PREFIX):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class WebAuthenticationMiddleware(_WebPagesOnly, AuthenticationMiddleware):
    pass


class WebMessageMiddleware(_WebPagesOnly, MessageMiddleware):
    pass


class ApiLanguageMiddleware:
    """Lets an API caller pick the language of texts and messages with ``?lang=``.

    Without it, LocaleMiddleware has already chosen from Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PATH_PREFIX):
            wanted = request.GET.get("lang", "")
            if wanted in self.codes:
                translation.activate(wanted)
                request.LANGUAGE_CODE = wanted
        return self.get_response(request)


def too_many_requests_page(
    request: HttpRequest, error: TooManyRequests
) -> HttpResponse:
    """The page of a refused request: the limit's message, status 429 with
    ``Retry-After``, and a way back to the page the form was on."""
    referer = request.headers.get("Referer", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
        else (request.path if request.method == "GET" else "")
    )
    response = render(
        request, "429.html", {"message": error.message, "again_url": back}, status=429
    )
    response["Retry-After"] = str(error.retry_after)
    if request.headers.get("HX-Request"):
        # A form htmx sent (booking, cancelling): the message takes the place
        # of the page's main content (majlis.js lets htmx swap a 429).
        response["HX-Retarget"] = "#main"
        response["HX-Reselect"] = "#main"
        response["HX-Reswap"] = "outerHTML"
    return response


class ExceptionPageMiddleware:
    """A middleware that only answers a view's exception with a page: every
    request passes through; a subclass writes ``process_exception``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class NotFoundMiddleware(ExceptionPageMiddleware):
    """Shows the ordinary 404 or 403 page when a selector finds nothing, or an
    access check refuses, and the 429 page when a rate limit refuses, for a
    web page."""

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return page_not_found(request, Http404())
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, DjangoPermissionDenied())
        if isinstance(exception, TooManyRequests):
            return too_many_requests_page(request, exception)
        return None


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with a bare 405; the API promises one
    error shape everywhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PATH_PREFIX)
            and response.status_code == 405
        ):
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


class BoostedFormStaysMiddleware:
    """A form htmx sends in place (``data-hx-boost``: booking, cancelling, the
    door) leaves the address bar on its page. htmx 2 pushes a boosted form's
    address into the history whatever ``hx-push-url="false"`` says, and that
    address (``…/book/``) accepts only POST: reloading it showed a blank 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Boosted") and "HX-Push-Url" not in response:
            response["HX-Push-Url"] = "false"
        return response


class MethodNotAllowedPageMiddleware:
    """A form's address opened as a page (bookmarked, reloaded, shared: a GET
    where only POST is accepted) answers a page in the reader's language with
    the way back to the page the form is on, not Django's empty 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in ("GET", "HEAD")
            or request.path_info.startswith(API_PATH_PREFIX)
            or response.content
        ):
            return response
        page = render(
            request, "405.html", {"back_url": page_above(request.path)}, status=405
        )
        if allowed := response.get("Allow"):
            page["Allow"] = allowed
        return page


def page_above(path: str) -> str:
    """The nearest address above ``path`` that is a page (``…/s/lab/`` for
    ``…/s/lab/book/``), or the home page."""
    parts = path.strip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        above = "/" + "/".join(parts) + "/"
        try:
            resolve(above)
        except Resolver404:
            continue
        return above
    return reverse("home")
