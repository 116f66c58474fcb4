"""The delegates' pages: the programme and one page per session."""

import functools
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from majlis.accounts.models import Participant
from majlis.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from majlis.events.models import Event, Session, SpokenLanguage, intervals_overlap
from majlis.events.selectors import (
    booking_open_now,
    event_get,
    programme_by_day,
    session_list,
    session_of_page,
)
from majlis.groups.selectors import (
    group_plan_on_delegates_pages,
    topic_offer_in_plan,
)
from majlis.groups.wording import seat_lines
from majlis.site.forms import AccessNeedsForm, TopicChoicesForm
from majlis.site.signin import signed_in_participant


def home(request: HttpRequest) -> HttpResponse:
    events = list(Event.objects.order_by("slug"))
    if len(events) == 1:
        return redirect("programme", event=events[0].slug)
    return render(request, "site/home.html", {"events": events})


def _active_bookings_by_session(
    participant: Participant | None, event: Event
) -> dict[int, Booking]:
    """The delegate's live bookings by session, without their sessions: a
    booking carries its session's times, which is all the pages need of
    them but for a conflict's title (read then)."""
    if participant is None:
        return {}
    bookings = Booking.objects.filter(
        participant=participant, session__event=event, status__in=ACTIVE_STATUSES
    )
    return {b.session_id: b for b in bookings}


def programme(request: HttpRequest, event: str) -> HttpResponse:
    found = event_get(slug=event)
    participant = signed_in_participant(request, found)
    understood = request.GET.get("understood", "")
    if understood not in SpokenLanguage.values:
        understood = ""
    sessions = session_list(event=found, understood=understood or None)
    mine = _active_bookings_by_session(participant, found)
    for session in sessions:
        session.my_booking = mine.get(session.pk)  # type: ignore[attr-defined]
        session.booking_open = booking_open_now(session)  # type: ignore[attr-defined]
    return render(
        request,
        "site/programme.html",
        {
            "event": found,
            "participant": participant,
            "days": programme_by_day(event=found, sessions=sessions),
            # The zone's offset as on the first day shown (summer time, Ramadan).
            "zone_at": next((session.starts_at for session in sessions), None),
            "understood": understood,
            "spoken_languages": SpokenLanguage.choices,
        },
    )


def session_detail(request: HttpRequest, event: str, code: str) -> HttpResponse:
    session = session_of_page(
        event_slug=event, code=code, fresh_for=settings.MAJLIS_PROGRAMME_FRESH_SECONDS
    )
    participant = signed_in_participant(request, session.event)
    return render(
        request,
        "site/session_detail.html",
        session_page_context(session, participant),
    )


def session_page_context(
    session: Session, participant: Participant | None
) -> dict[str, Any]:
    """What a session's page shows: the session, and for a signed-in delegate
    their booking and its form (also the booking form's answer to htmx)."""
    found = session.event
    mine = _active_bookings_by_session(participant, found)
    my_booking = mine.get(session.pk)
    seats: list[SafeString] = []
    topics = None
    # Read only for a delegate who holds a seat or a place in line (the page
    # is the busiest there is when booking opens), and the plan once: most
    # sessions have none, and then neither seats nor topics are read.
    plan = None
    if participant is not None and my_booking is not None:
        plan = group_plan_on_delegates_pages(
            session, fresh_for=settings.MAJLIS_PROGRAMME_FRESH_SECONDS
        )
    if participant is not None and my_booking is not None and plan is not None:
        if my_booking.status == BookingStatus.CONFIRMED and plan.is_published:
            seats = seat_lines(participant, session=session).get(session.pk, [])
        offer = topic_offer_in_plan(plan, session, participant)
        if offer is not None:
            topics = {
                "form": TopicChoicesForm.showing(offer.chosen, topics=offer.topics),
                "chosen": [
                    offer.topics[table - 1]
                    for table in offer.chosen
                    if 1 <= table <= len(offer.topics)
                ],
            }
    conflicting = [
        b
        for b in mine.values()
        if b.status == BookingStatus.CONFIRMED
        and b.session_id != session.pk
        and intervals_overlap(
            b.starts_at, b.ends_at, session.starts_at, session.ends_at
        )
    ]
    return {
        "event": found,
        "participant": participant,
        "session": session,
        "my_booking": my_booking,
        "conflicting": conflicting,
        "booking_open": booking_open_now(session),
        # One token per rendered form: a double click books once.
        "form_token": uuid.uuid4().hex,
        "access_fields": _booking_access_fields(get_language()),
        "seat_lines": seats,
        "topics": topics,
    }


@functools.cache
def _booking_access_fields(language: str) -> SafeString:
    """The booking form's access-needs fields, the same for everyone in a
    language: rendered once per process and language, as a form's widgets
    are each a template of their own (a tenth of the page's CPU)."""
    return mark_safe(  # noqa: S308 - rendered from our template, escaped there
        render_to_string(
            "site/_access_needs_fields.html",
            {"form": AccessNeedsForm(auto_id="book-%s")},
        )
    )


def programme_seats(request: HttpRequest, event: str) -> HttpResponse:
    """Fresh seat counts for every session, swapped into an open page by htmx."""
    found = event_get(slug=event)
    return render(
        request, "site/_seats_oob.html", {"sessions": session_list(event=found)}
    )
