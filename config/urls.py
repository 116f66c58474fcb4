import sys

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from majlis.api.apis import api, api_not_found, error_response
from majlis.backoffice.login import staff_login_guard
from majlis.core.database_outage import database_unavailable_page, is_database_outage
from majlis.core.exceptions import DatabaseUnavailable, RequestTooLarge
from majlis.core.middleware import API_PATH_PREFIX, page_above
from majlis.site.urls import event_patterns
from majlis.site.views import calendar_feed, programme, sign_in


def request_too_large(request: HttpRequest) -> HttpResponse:
    """A request over the size limit, in the API's error shape or as a page in
    the reader's language. Django's own limit comes here (``bad_request``),
    and so does the reverse proxy's (deploy/nginx.conf hands its 413 to these
    addresses, as a GET without the body, whose page it was sent from is
    the Referer)."""
    if request.path_info.startswith(API_PATH_PREFIX):
        return error_response(request, RequestTooLarge())
    came_from = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}
    ):
        came_from = page_above(request.path)
    return render(request, "413.html", {"back_url": came_from}, status=413)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/request-too-large", request_too_large),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar-feed"),
    path("i18n/setlang/", sign_in.set_language, name="set_language"),
    # The admin's sign-in under the same limits as the back office's.
    path("admin/login/", staff_login_guard(admin.site.login)),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", programme.home, name="home"),
    path("e/<slug:event>/", include(event_patterns)),
    path("backoffice/", include("majlis.backoffice.urls")),
    path("request-too-large/", request_too_large),
)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500, except for a database lost outside any view (a session
    saved by its middleware, say): the same 503 as in a view."""
    if is_database_outage(sys.exc_info()[1]):
        if request.path_info.startswith(API_PATH_PREFIX):
            return error_response(request, DatabaseUnavailable())
        return database_unavailable_page(request)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except for a body over Django's size limit."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return defaults.bad_request(request, exception)


handler400 = bad_request
handler500 = server_error
