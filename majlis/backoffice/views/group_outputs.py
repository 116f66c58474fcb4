"""What leaves a session's Groups page: each delegate's table by email, and
the printed table cards and per-round table lists. Organisers of the session
and the secretariat only, as for the page itself."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from majlis.backoffice.access import (
    Capability,
    event_get_for_staff,
    session_get_for_staff,
)
from majlis.backoffice.group_forms import VersionForm
from majlis.backoffice.pdf import round_tables_pdf, table_cards_pdf
from majlis.backoffice.views.common import change_reported
from majlis.core.exceptions import InvalidInput, NotFound
from majlis.events.models import Event, Session
from majlis.groups import services
from majlis.groups.selectors import PlanView, group_plan_view, seats_by_booking


def _arranged(
    request: HttpRequest, event: str, code: str
) -> tuple[Event, Session, PlanView]:
    """The session and its arrangement, if the caller may arrange its groups
    and there is one."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.SEE_ROSTER)
    view = group_plan_view(session)
    if view is None or not view.rounds:
        raise NotFound()
    return found, session, view


@login_required
def groups_email(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Ask first (a page, so that it works without JavaScript), then queue
    one message to each seated delegate."""
    found, session, view = _arranged(request, event, code)
    plan = view.plan
    groups_page = redirect("backoffice:groups", event=found.slug, code=session.code)
    if request.method == "POST":
        form = VersionForm(request.POST)

        def email() -> int:
            if not form.is_valid():
                raise InvalidInput()
            return services.email_arrangement(
                actor=request.user if isinstance(request.user, User) else None,
                plan=plan,
                expected_version=form.cleaned_data["version"],
            )

        change_reported(
            request,
            email,
            lambda count: (
                ngettext(
                    "%(count)d delegate will receive their table by email.",
                    "%(count)d delegates will receive their table by email.",
                    count,
                )
                % {"count": count}
            ),
        )
        return groups_page
    return render(
        request,
        "backoffice/groups_email.html",
        {
            "event": found,
            "backoffice": True,
            "session": session,
            "plan": plan,
            "recipients": len(seats_by_booking(plan)),
        },
    )


@login_required
def groups_print(
    request: HttpRequest, event: str, code: str, kind: str
) -> HttpResponse:
    """The table cards or the tables of each round, as a PDF in the page's
    language."""
    _found, session, view = _arranged(request, event, code)
    if kind == "cards":
        pdf = table_cards_pdf(session, view)
    elif kind == "tables":
        pdf = round_tables_pdf(session, view)
    else:
        raise NotFound()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{session.code}-{kind}.pdf"'
    )
    return response
