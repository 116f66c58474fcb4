"""After the conference, the secretariat erases the event's personal data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.backoffice.views.common import secretariat_event
from majlis.bookings.personal_data import event_erase_personal_data
from majlis.core.exceptions import MajlisError


@login_required
def erase_personal_data(request: HttpRequest, event: str) -> HttpResponse:
    """GET: what is erased and what stays, and a form that asks for the
    event's short name; POST: erase."""
    found = secretariat_event(request, event)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != found.slug:
            error = _("Type the event's short name, %(slug)s, to erase.") % {
                "slug": found.slug
            }
        else:
            try:
                erased = event_erase_personal_data(event=found)
            except MajlisError as refusal:
                error = str(refusal.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The personal data of %(count)d delegate is erased; "
                        "the statistics stay.",
                        "The personal data of %(count)d delegates is erased; "
                        "the statistics stay.",
                        erased,
                    )
                    % {"count": erased},
                )
                return redirect("backoffice:dashboard", event=found.slug)
    return render(
        request,
        "backoffice/erase_personal_data.html",
        {"event": found, "backoffice": True, "can_run_event": True, "error": error},
        status=400 if error else 200,
    )
