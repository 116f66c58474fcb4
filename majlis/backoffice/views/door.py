"""Check-in at a session's door: by code, scan or name; absent delegates' seats; walk-ins."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from majlis.accounts.models import Participant
from majlis.backoffice.access import (
    Capability,
    event_get_for_staff,
    session_get_for_staff,
)
from majlis.backoffice.selectors import (
    DoorMatch,
    door_counts,
    door_namesakes,
    door_participant,
    door_search,
    door_seat_elsewhere,
    door_still_to_arrive,
    participant_by_checkin_code,
)
from majlis.backoffice.views.common import change_reported, confirmed, staff_actor
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services import (
    booking_check_in,
    booking_walk_in,
    session_release_no_shows,
)
from majlis.core.exceptions import MajlisError, NotFound, TimeConflict
from majlis.core.ratelimit import Limit, limiter
from majlis.core.translation import isolating
from majlis.events.models import Event, Session
from majlis.events.selectors import session_queryset_with_counts

# Lookups (codes, scans, names) one staff member may make at the door: a busy
# door scans one delegate a second; a script reading every code, far more.
DOOR_LOOKUPS_LIMIT = Limit("door_lookups", "MAJLIS_LIMIT_DOOR_LOOKUPS")


@dataclass(frozen=True)
class DoorResult:
    """What the top of the door page says after a scan, a code, a name or a
    walk-in: ``outcome`` chooses the words, the colour and the icon."""

    # checked_in, walked_in, already_checked_in, waitlisted, not_booked,
    # refused (a walk-in the rules refuse), unknown (nobody found), found
    # (a name search with matches, listed below the field)
    outcome: str
    participant: Participant | None = None
    waitlist_position: int | None = None
    checked_in_at: datetime | None = None
    message: str = ""
    query: str = ""
    count: int = 0
    # What the delegate needs to take part, for the door to seat them: the
    # needs in the page's words, and the delegate's own.
    access_needs: tuple[str, ...] = ()
    access_needs_note: str = ""

    @property
    def tone(self) -> str:
        if self.outcome in ("checked_in", "walked_in"):
            return "ok"
        if self.outcome in ("already_checked_in", "waitlisted"):
            return "warn"
        if self.outcome == "found":
            return "info"
        return "bad"


def _checked_in(
    request: HttpRequest, session: Session, person: Participant, query: str
) -> DoorResult:
    done = booking_check_in(
        session=session, participant=person, actor=staff_actor(request)
    )
    booking = done.booking
    seated = booking if done.outcome != "waitlisted" else None
    return DoorResult(
        done.outcome,
        person,
        waitlist_position=waitlist_position(booking) if booking else None,
        checked_in_at=booking.checked_in_at if booking else None,
        query=query,  # a walk-in offered next is found again by it
        access_needs=tuple(seated.access_need_labels()) if seated else (),
        access_needs_note=seated.access_needs_note if seated else "",
    )


def _walk_in(request: HttpRequest, session: Session) -> DoorResult:
    person = door_participant(
        session=session,
        query=request.POST.get("q", ""),
        participant_id=request.POST.get("participant", ""),
    )
    if person is None:
        raise NotFound()
    try:
        booking_walk_in(session=session, participant=person, actor=staff_actor(request))
    except MajlisError as error:
        if isinstance(error, NotFound):
            raise
        if isinstance(error, TimeConflict):
            # Said to the door about the delegate: the error's own words speak
            # to a delegate booking for themselves ("You already hold…").
            return DoorResult(
                "refused", person, message=_seated_elsewhere(session, person)
            )
        return DoorResult("refused", person, message=str(error.message))
    return DoorResult("walked_in", person)


def _seated_elsewhere(session: Session, person: Participant) -> str:
    other = door_seat_elsewhere(session=session, participant=person)
    if other is None:  # the seat went meanwhile: the door may try again
        return isolating(
            gettext("%(name)s held a seat at the same time. Try again."),
            {"name": person.name},
        )
    return isolating(
        gettext(
            "%(name)s holds a seat in “%(session)s” at the same time. An"
            " organiser can move them here from that session's roster."
        ),
        {"name": person.name, "session": other.title},
    )


def _lookup(
    request: HttpRequest, event: Event, session: Session
) -> tuple[DoorResult, list[DoorMatch]]:
    """A code typed or scanned, or a name chosen from the matches, checks in at
    once; a name typed alone lists the delegates who match."""
    query = request.POST.get("q", "").strip()
    chosen = request.POST.get("participant", "")
    person = (
        door_participant(session=session, query=query, participant_id=chosen)
        if chosen
        else participant_by_checkin_code(event=event, code=query)
    )
    if person is not None:
        return _checked_in(request, session, person, query), []
    matches = door_search(session=session, query=query)
    outcome = "found" if matches else "unknown"
    return DoorResult(outcome, query=query, count=len(matches)), matches


def _release(request: HttpRequest, event: Event, session: Session) -> HttpResponse:
    """Asks first, saying how many seats would go; releases on the second POST."""
    if not confirmed(request):
        fresh = session_queryset_with_counts(event).get(pk=session.pk)
        now = timezone.now()
        counts = door_counts(session=fresh, now=now)
        return render(
            request,
            "backoffice/check_in_release.html",
            {
                "event": event,
                "backoffice": True,
                "session": fresh,
                "counts": counts,
                "absent": counts.releasable,
                "release_open": now >= fresh.no_show_release_at,
            },
        )
    change_reported(
        request,
        lambda: session_release_no_shows(session=session, actor=staff_actor(request)),
        lambda released: (
            ngettext(
                "%(count)d seat of an absent delegate was released.",
                "%(count)d seats of absent delegates were released.",
                len(released),
            )
            % {"count": len(released)}
        ),
    )
    return redirect("backoffice:check-in", event=event.slug, code=session.code)


@login_required
def check_in(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """At the door: type or scan a check-in code, or search a name; the result
    comes at the top of the page and the field is empty for the next one."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.CHECK_IN)
    result: DoorResult | None = None
    matches: list[DoorMatch] = []
    query = request.GET.get("q", "").strip() if request.method == "GET" else ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "release":
        return _release(request, found, session)
    # Enter on an empty field (a scanner's stray Enter) asks nothing: no red
    # "Not found" for nothing.
    posted = request.method == "POST" and bool(
        action or request.POST.get("q", "").strip() or request.POST.get("participant")
    )
    if posted or query:
        # A code typed or scanned, a name searched, a walk-in found by code
        # or whole name: each finds delegates.
        limiter().hit(DOOR_LOOKUPS_LIMIT, f"user:{request.user.pk}")
    if action == "walk_in":
        result = _walk_in(request, session)
    elif posted or query:
        if posted:
            result, matches = _lookup(request, found, session)
        else:
            matches = door_search(session=session, query=query)
            result = DoorResult(
                "found" if matches else "unknown", query=query, count=len(matches)
            )
    fresh = session_queryset_with_counts(found).get(pk=session.pk)
    now = timezone.now()
    release_open = now >= fresh.no_show_release_at
    counts = door_counts(session=fresh, now=now)
    show_arrivals = (
        request.GET.get("arrivals") == "1" or request.POST.get("list") == "arrivals"
    )
    # The list itself only when asked for, or used: every scan's answer
    # would otherwise carry the whole session's names.
    to_arrive = door_still_to_arrive(session=session) if show_arrivals else None
    # Codes only of people booked here: of anyone else, the door sees a name.
    listed = [match.participant for match in matches if match.booked]
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
            "release_open": release_open,
            "walk_ins_open": release_open and fresh.seats_left > 0,
            "counts": counts,
            "to_arrive": to_arrive,
            "namesakes": door_namesakes(
                session=session, people=[*listed, *(to_arrive or [])]
            ),
        },
    )
