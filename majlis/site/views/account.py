"""A delegate's own data: downloaded whole, or their account deleted."""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from majlis.accounts.models import Participant
from majlis.bookings.personal_data import (
    participant_data_export,
    participant_delete_account,
)
from majlis.core.exceptions import MajlisError
from majlis.events.models import Event
from majlis.site.views.bookings import participant_view


@participant_view
def my_data(
    request: HttpRequest, event: Event, participant: Participant
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(
            participant_data_export(participant=participant),
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=2,
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="majlis-{event.slug}-my-data.json"'
    )
    return response


@participant_view
def delete_account(
    request: HttpRequest, event: Event, participant: Participant
) -> HttpResponse:
    """GET: what deleting the account does, and a button; POST: do it."""
    if request.method != "POST":
        return render(
            request,
            "site/delete_account.html",
            {"event": event, "participant": participant},
        )
    try:
        participant_delete_account(participant=participant)
    except MajlisError as error:
        messages.error(request, str(error.message))
        return redirect("delete-account", event=event.slug)
    request.session.flush()
    messages.success(
        request,
        _(
            "Your account is deleted: your bookings are cancelled and your "
            "personal data erased."
        ),
    )
    return redirect("programme", event=event.slug)
