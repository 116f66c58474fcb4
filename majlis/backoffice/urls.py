from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from majlis.backoffice import views
from majlis.backoffice.login import staff_login_guard

app_name = "backoffice"
urlpatterns = [
    path(
        "login/",
        staff_login_guard(
            auth_views.LoginView.as_view(
                template_name="backoffice/login.html",
                extra_context={"backoffice": True},
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="backoffice/set_password.html",
            success_url=reverse_lazy("backoffice:login"),
            extra_context={"backoffice": True},
        ),
        name="set-password",
    ),
    path("", views.home, name="home"),
    path("<slug:event>/", views.sessions, name="sessions"),
    path("<slug:event>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:event>/settings/", views.event_edit, name="event-edit"),
    path(
        "<slug:event>/settings/erase-personal-data/",
        views.erase_personal_data,
        name="erase-personal-data",
    ),
    path("<slug:event>/staff/", views.staff, name="staff"),
    path("<slug:event>/staff/<int:role_id>/", views.staff_edit, name="staff-edit"),
    path(
        "<slug:event>/staff/<int:role_id>/remove/",
        views.staff_remove,
        name="staff-remove",
    ),
    path("<slug:event>/delegates/", views.delegates, name="delegates"),
    path("<slug:event>/delegates/import/", views.delegates_import, name="import"),
    path(
        "<slug:event>/delegates/import/template.<str:kind>",
        views.delegates_import_template,
        name="import-template",
    ),
    path(
        "<slug:event>/delegates/<int:participant_id>/",
        views.delegate_detail,
        name="delegate",
    ),
    path("<slug:event>/s/<slug:code>/edit/", views.session_edit, name="session-edit"),
    path("<slug:event>/s/<slug:code>/roster/", views.roster, name="roster"),
    path(
        "<slug:event>/s/<slug:code>/roster.<str:kind>",
        views.roster_export,
        name="roster-export",
    ),
    path(
        "<slug:event>/s/<slug:code>/bookings/<int:booking_id>/cancel/",
        views.cancel_on_behalf,
        name="cancel",
    ),
    path(
        "<slug:event>/s/<slug:code>/bookings/<int:booking_id>/move/",
        views.move_on_behalf,
        name="move",
    ),
    path("<slug:event>/s/<slug:code>/check-in/", views.check_in, name="check-in"),
    path("<slug:event>/s/<slug:code>/groups/", views.groups, name="groups"),
    path(
        "<slug:event>/s/<slug:code>/groups/move/",
        views.groups_move,
        name="groups-move",
    ),
    path(
        "<slug:event>/s/<slug:code>/groups/late/",
        views.groups_late,
        name="groups-late",
    ),
    path(
        "<slug:event>/s/<slug:code>/groups/publish/",
        views.groups_publish,
        name="groups-publish",
    ),
    path(
        "<slug:event>/s/<slug:code>/groups/email/",
        views.groups_email,
        name="groups-email",
    ),
    path(
        "<slug:event>/s/<slug:code>/groups/<str:kind>.pdf",
        views.groups_print,
        name="groups-print",
    ),
    path(
        "<slug:event>/s/<slug:code>/messages/", views.session_messages, name="messages"
    ),
]
