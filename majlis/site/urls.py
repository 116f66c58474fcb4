"""The delegates' pages of one event, under ``/<language>/e/<event>/``."""

from django.urls import path

from majlis.site.views import (
    account,
    bookings,
    calendar_feed,
    groups,
    programme,
    sign_in,
)

event_patterns = [
    path("", programme.programme, name="programme"),
    path("seats/", programme.programme_seats, name="programme-seats"),
    path("s/<slug:code>/", programme.session_detail, name="session-detail"),
    path("s/<slug:code>/book/", bookings.book, name="book"),
    path("s/<slug:code>/topics/", groups.choose_topics, name="choose-topics"),
    path("bookings/<int:booking_id>/cancel/", bookings.cancel, name="cancel"),
    path(
        "bookings/<int:booking_id>/access-needs/",
        bookings.change_access_needs,
        name="change-access-needs",
    ),
    path(
        "bookings/<int:booking_id>/calendar.ics",
        bookings.booking_calendar,
        name="booking-calendar",
    ),
    path("me/", bookings.my_sessions, name="my-sessions"),
    path(
        "me/calendar/",
        calendar_feed.calendar_feed_issue_view,
        name="calendar-feed-issue",
    ),
    path("me/data.json", account.my_data, name="my-data"),
    path("me/delete/", account.delete_account, name="delete-account"),
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("sign-in/<str:token>/", sign_in.sign_in_link, name="sign-in-link"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
]
