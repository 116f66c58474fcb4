from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from majlis.accounts import views as accounts_views
from majlis.api.apis import api, api_not_found
from majlis.bookings import calendar_feed_views
from majlis.bookings import views as bookings_views
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
    path(
        "me/calendar/",
        calendar_feed_views.calendar_feed_issue_view,
        name="calendar-feed-issue",
    ),
    path("sign-in/", accounts_views.sign_in, name="sign-in"),
    path("sign-in/<str:token>/", accounts_views.sign_in_link, name="sign-in-link"),
    path("sign-out/", accounts_views.sign_out, name="sign-out"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path(
        "calendar/<str:token>.ics",
        calendar_feed_views.calendar_feed,
        name="calendar-feed",
    ),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", events_views.home, name="home"),
    path("e/<slug:event>/", include(event_patterns)),
    path("backoffice/", include("majlis.backoffice.urls")),
)
