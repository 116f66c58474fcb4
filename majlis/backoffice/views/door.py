"""Check-in at a session's door: by code, scan or name; absent delegates' seats; walk-ins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.backoffice.access import (
    Capability,
    event_get_for_staff,
    session_get_for_staff,
)
from majlis.backoffice.selectors import (
    DoorMatch,
    door_participant,
    door_search,
    participant_by_checkin_code,
)
from majlis.backoffice.views.common import staff_actor
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import (
    booking_check_in,
    booking_walk_in,
    session_release_no_shows,
)
from majlis.core.exceptions import MajlisError, NotFound
from majlis.core.ratelimit import Limit, limiter
from majlis.events.models import Event, Session
from majlis.events.selectors import session_queryset_with_counts

# Lookups (codes, scans, names) one staff member may make at the door: a busy
# door scans one delegate a second; a script reading every code, far more.
DOOR_LOOKUPS_LIMIT = Limit("door_lookups", "MAJLIS_LIMIT_DOOR_LOOKUPS")


def _door_action(
    request: HttpRequest, event: Event, session: Session, action: str
) -> None:
    """Release absent delegates' seats, or seat a walk-in, and say what happened."""
    actor = staff_actor(request)
    try:
        if action == "release":
            released = session_release_no_shows(session=session, actor=actor)
            messages.success(
                request,
                ngettext(
                    "%(count)d seat of an absent delegate was released.",
                    "%(count)d seats of absent delegates were released.",
                    len(released),
                )
                % {"count": len(released)},
            )
        else:
            person = door_participant(
                session=session,
                query=request.POST.get("q", ""),
                participant_id=request.POST.get("participant", ""),
            )
            if person is None:
                raise NotFound()
            booking_walk_in(session=session, participant=person, actor=actor)
            messages.success(
                request,
                _("%(name)s has a seat and is checked in.") % {"name": person.name},
            )
    except MajlisError as error:
        if isinstance(error, NotFound):
            raise
        messages.error(request, str(error.message))


@login_required
def check_in(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """At the door: type or scan a check-in code, or search a name."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.CHECK_IN)
    result = None
    matches: list[DoorMatch] = []
    query = (
        request.POST.get("q", "")
        if request.method == "POST"
        else request.GET.get("q", "")
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("release", "walk_in"):
        _door_action(request, found, session, action)
        return redirect("backoffice:check-in", event=found.slug, code=session.code)
    if request.method == "POST" or query:
        # A code typed or scanned, a name searched: each finds delegates.
        limiter().hit(DOOR_LOOKUPS_LIMIT, f"user:{request.user.pk}")
    if request.method == "POST":
        # A scanned or typed code, or a name chosen from the matches, checks in
        # at once; a name typed alone only lists the delegates who match.
        chosen = request.POST.get("participant", "")
        person = (
            door_participant(session=session, query=query, participant_id=chosen)
            if chosen
            else participant_by_checkin_code(event=found, code=query)
        )
        if person is not None:
            result = booking_check_in(
                session=session, participant=person, actor=staff_actor(request)
            )
        else:
            matches = door_search(session=session, query=query)
    elif query:
        matches = door_search(session=session, query=query)
    fresh = session_queryset_with_counts(found).get(pk=session.pk)
    return render(
        request,
        "backoffice/check_in.html",
        {
            "event": found,
            "backoffice": True,
            "session": fresh,
            "query": query,
            "matches": matches,
            "result": result,
            "searched": bool(query),
            "release_open": timezone.now() >= fresh.no_show_release_at,
            "checked_in": Booking.objects.filter(
                session=session,
                status=BookingStatus.CONFIRMED,
                checked_in_at__isnull=False,
            ).count(),
        },
    )
