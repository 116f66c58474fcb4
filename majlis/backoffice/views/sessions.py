"""The back office's home, the event's sessions and settings, and the dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.backoffice.access import (
    Capability,
    can,
    event_get_for_staff,
    event_list_for_staff,
    session_list_for_staff,
)
from majlis.backoffice.exports import dashboard_csv
from majlis.backoffice.forms import (
    EventEditForm,
    SessionEditForm,
)
from majlis.backoffice.selectors import (
    event_dashboard,
)
from majlis.backoffice.views.common import secretariat_event, staff_actor
from majlis.bookings.services import session_save_changes
from majlis.core.exceptions import NotFound, PermissionDenied
from majlis.events.selectors import session_queryset_with_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    events = list(event_list_for_staff(request.user))
    if len(events) == 1:
        return redirect("backoffice:sessions", event=events[0].slug)
    return render(
        request, "backoffice/home.html", {"events": events, "backoffice": True}
    )


@login_required
def sessions(request: HttpRequest, event: str) -> HttpResponse:
    found = event_get_for_staff(request.user, event)
    mine = session_list_for_staff(request.user, found).values_list("pk", flat=True)
    listed = session_queryset_with_counts(found).filter(pk__in=list(mine))
    return render(
        request,
        "backoffice/sessions.html",
        {
            "event": found,
            "backoffice": True,
            "sessions": listed,
            "can_see_rosters": can(request.user, found, Capability.SEE_ROSTER),
            "can_run_event": can(request.user, found, Capability.RUN_EVENT),
        },
    )


@login_required
def session_edit(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """The secretariat edits a session: texts per language, rooms, format,
    languages, times (in the event's zone), capacity, waiting list."""
    found = secretariat_event(request, event)
    session = session_list_for_staff(request.user, found).filter(code=code).first()
    if session is None:
        raise NotFound()
    with timezone.override(found.zone):
        form = SessionEditForm(request.POST or None, instance=session)
        if request.method == "POST" and form.is_valid():
            refused = session_save_changes(
                session=form.instance,
                changed=form.changed_data,
                actor=staff_actor(request),
            )
            if refused is None:
                messages.success(request, _("The session is saved."))
                return redirect("backoffice:sessions", event=found.slug)
            # Said with the form's other errors, in its summary at the top.
            form.add_error(None, str(refused.message))
        return render(
            request,
            "backoffice/session_edit.html",
            {
                "event": found,
                "backoffice": True,
                "can_run_event": True,
                "session": session,
                "form": form,
            },
        )


@login_required
def event_edit(request: HttpRequest, event: str) -> HttpResponse:
    """The secretariat sets the event's names, venue and booking window."""
    found = secretariat_event(request, event)
    with timezone.override(found.zone):
        form = EventEditForm(request.POST or None, instance=found)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("The event is saved."))
            return redirect("backoffice:sessions", event=found.slug)
        return render(
            request,
            "backoffice/event_edit.html",
            {"event": found, "backoffice": True, "can_run_event": True, "form": form},
        )


@login_required
def dashboard(request: HttpRequest, event: str) -> HttpResponse:
    """Seats taken, waiting, checked in and no-shows per session; bookings over
    time; the mix of delegates: as charts with their figures, and as CSV."""
    found = event_get_for_staff(request.user, event)
    if not can(request.user, found, Capability.SEE_ROSTER):
        raise PermissionDenied()
    figures = event_dashboard(
        event=found, sessions=session_list_for_staff(request.user, found)
    )
    if request.GET.get("format") == "csv":
        return HttpResponse(dashboard_csv(figures), content_type="text/csv")
    # The hours of one day: the one asked for, else the busiest (the opening rush).
    days = {day.isoformat(): day for day, _count in figures.by_day}
    hour_day = days.get(request.GET.get("day", ""), figures.rush_day)
    hours = figures.hours_of(hour_day) if hour_day else []
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "event": found,
            "backoffice": True,
            "can_run_event": can(request.user, found, Capability.RUN_EVENT),
            "figures": figures,
            "mix": [
                (_("Constituency"), figures.by_constituency, ""),
                (
                    _("Region"),
                    figures.by_region,
                    _("Regions of the United Nations geoscheme (M49)."),
                ),
                (_("Preferred language"), figures.by_language, ""),
            ],
            "hour_day": hour_day,
            "hours": hours,
            "busiest_hour": max([count for _start, count in hours] + [1]),
        },
    )
