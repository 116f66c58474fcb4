import sys

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views import defaults

from majlis.accounts import views as accounts_views
from majlis.api.apis import api, api_not_found, error_response
from majlis.bookings import views as bookings_views
from majlis.core.database_outage import database_unavailable_page, is_database_outage
from majlis.core.exceptions import DatabaseUnavailable
from majlis.core.middleware import API_PATH_PREFIX
from majlis.events import views as events_views

event_patterns = [
    path("", events_views.programme, name="programme"),
    path("seats/", events_views.programme_seats, name="programme-seats"),
    path("s/<slug:code>/", events_views.session_detail, name="session-detail"),
    path("s/<slug:code>/book/", bookings_views.book, name="book"),
    path("bookings/<int:booking_id>/cancel/", bookings_views.cancel, name="cancel"),
    path(
        "bookings/<int:booking_id>/access-needs/",
        bookings_views.change_access_needs,
        name="change-access-needs",
    ),
    path(
        "bookings/<int:booking_id>/calendar.ics",
        bookings_views.booking_calendar,
        name="booking-calendar",
    ),
    path("me/", bookings_views.my_sessions, name="my-sessions"),
    path("sign-in/", accounts_views.sign_in, name="sign-in"),
    path("sign-in/<str:token>/", accounts_views.sign_in_link, name="sign-in-link"),
    path("sign-out/", accounts_views.sign_out, name="sign-out"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", events_views.home, name="home"),
    path("e/<slug:event>/", include(event_patterns)),
    path("backoffice/", include("majlis.backoffice.urls")),
)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500, except for a database lost outside any view (a session
    saved by its middleware, say): the same 503 as in a view."""
    if is_database_outage(sys.exc_info()[1]):
        if request.path_info.startswith(API_PATH_PREFIX):
            return error_response(request, DatabaseUnavailable())
        return database_unavailable_page(request)
    return defaults.server_error(request)


handler500 = server_error
