"""A delegate's choice of topics for a session's working groups (where they
sit is shown by the session's page and "my sessions", from ``groups.wording``)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from majlis.accounts.models import Participant
from majlis.core.exceptions import MajlisError
from majlis.events.models import Event
from majlis.events.selectors import session_get_in_event
from majlis.groups.selectors import topic_offer
from majlis.groups.services import set_topic_preference
from majlis.site.forms import TopicChoicesForm
from majlis.site.views.bookings import participant_view


@require_POST
@participant_view
def choose_topics(
    request: HttpRequest, event: Event, participant: Participant, code: str
) -> HttpResponse:
    session = session_get_in_event(event_slug=event.slug, code=code)
    offer = topic_offer(session, participant)
    page = redirect("session-detail", event=event.slug, code=session.code)
    if offer is None:
        messages.error(request, _("This session has no topics to choose from."))
        return page
    form = TopicChoicesForm(request.POST, topics=offer.topics)
    if not form.is_valid():
        messages.error(
            request,
            _("Your topics could not be saved: %(errors)s")
            % {
                "errors": " ".join(
                    str(error) for errors in form.errors.values() for error in errors
                )
            },
        )
        return page
    try:
        set_topic_preference(
            participant=participant, session=session, choices=form.choices()
        )
    except MajlisError as error:
        messages.error(request, str(error.message))
    else:
        if form.choices():
            messages.success(request, _("Your topics are saved."))
        else:
            messages.success(request, _("Your topics are cleared."))
    return page
