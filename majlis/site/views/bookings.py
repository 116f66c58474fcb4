"""The delegates' booking actions: book, switch, cancel, "my sessions", calendar."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from majlis.accounts.models import Participant
from majlis.accounts.selectors import calendar_feed_get
from majlis.bookings.calendar import (
    booking_ics,
    calendar_entry_wanted,
    checkin_qr_svg,
)
from majlis.bookings.idempotency import fingerprint
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import (
    booking_get_for_participant,
    booking_list_latest_per_session,
    sessions_released_by_switch,
    waitlist_position,
)
from majlis.bookings.services import (
    Actor,
    BookingAnswer,
    IdempotencyClaim,
    booking_cancel,
    booking_request,
    booking_update_access_needs,
)
from majlis.core.exceptions import MajlisError, TooManyRequests
from majlis.core.translation import isolating
from majlis.events.models import Event
from majlis.events.selectors import event_of_page, session_get_in_event
from majlis.groups.wording import seat_lines
from majlis.site.forms import AccessNeedsForm
from majlis.site.signin import signed_in_participant
from majlis.site.views.programme import session_page_context


def participant_view(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Resolve the event and its signed-in delegate, or send to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, event: str, **kwargs: Any) -> HttpResponse:
        found = event_of_page(
            slug=event, fresh_for=settings.MAJLIS_PROGRAMME_FRESH_SECONDS
        )
        participant = signed_in_participant(request, found)
        if participant is None:
            sign_in = reverse("sign-in", kwargs={"event": found.slug})
            return redirect(
                f"{sign_in}?{urlencode({'next': _page_to_return_to(request, found)})}"
            )
        return view(request, found, participant, **kwargs)

    return wrapper


def _page_to_return_to(request: HttpRequest, event: Event) -> str:
    """Where to land after signing in: this page, or for a form that was posted
    (which cannot be replayed by a GET), the page that showed the form."""
    if request.method == "GET":
        return request.path
    referer = request.headers.get("Referer", "")
    path = urlsplit(referer).path if referer else ""
    if path and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}
    ):
        return path
    return reverse("programme", kwargs={"event": event.slug})


@require_POST
@participant_view
def book(
    request: HttpRequest, event: Event, participant: Participant, code: str
) -> HttpResponse:
    needs = AccessNeedsForm(request.POST)
    needs.is_valid()  # unknown choices are dropped rather than block a booking
    form_token = request.POST.get("form_token", "")
    switch = request.POST.get("switch") == "1"
    if switch and _releases_another_seat(request, event, participant, code):
        return _booking_answer(request, event, participant, code)
    try:
        answer = booking_request(
            participant=participant,
            event_slug=event.slug,
            session_code=code,
            switch=switch,
            access_needs=needs.cleaned_data.get("access_needs", []),
            access_needs_note=needs.cleaned_data.get("access_needs_note", ""),
            # The form's one-time token: a double click books once.
            idempotency=IdempotencyClaim(
                f"participant:{participant.pk}",
                f"web:{form_token[:64]}",
                fingerprint("POST", request.path, b""),
            )
            if form_token
            else None,
        )
    except TooManyRequests:
        raise  # the 429 page
    except MajlisError as error:  # try again, or a form token sent to another page
        messages.error(request, str(error.message))
    else:
        _say(request, answer, switch=switch)
    return _booking_answer(request, event, participant, code)


def _releases_another_seat(
    request: HttpRequest, event: Event, participant: Participant, code: str
) -> bool:
    """A switch from a page that named other seats to release than those held
    now (another tab switched meanwhile): it would release a seat the delegate
    never saw named, so it is not made, and the page shows what is true now.
    A form without ``releasing`` (the API's, an older page) is not checked."""
    shown = request.POST.get("releasing")
    if shown is None:
        return False
    now = session_page_context(
        session_get_in_event(event_slug=event.slug, code=code), participant
    )
    if now["my_booking"] is not None:  # a double click: the first one booked
        return False
    held = {str(other.session_id) for other in now["conflicting"]}
    if held == {part for part in shown.split(",") if part}:
        return False
    messages.info(
        request,
        _(
            "Your seats changed since this page was shown (in another tab or"
            " window): nothing was changed here. Check them below before"
            " switching."
        ),
    )
    return True


def _booking_answer(
    request: HttpRequest, event: Event, participant: Participant, code: str
) -> HttpResponse:
    if request.headers.get("HX-Target") == "booking-area":
        # The page swaps its booking area in place (htmx): answered with it,
        # rather than sent to load the whole page again.
        session = session_get_in_event(event_slug=event.slug, code=code)
        return render(
            request,
            "site/_booking_answer.html",
            session_page_context(session, participant),
        )
    return redirect(
        reverse("session-detail", kwargs={"event": event.slug, "code": code})
    )


def _say(request: HttpRequest, answer: BookingAnswer, *, switch: bool) -> None:
    if answer.refused:
        messages.error(request, answer.error_message)
    elif _changed_since(answer):
        # A form sent again from an old page (the back button): its first answer
        # no longer describes the booking, so say what is true now.
        messages.info(
            request, _("This form was already sent; your booking is shown below.")
        )
    elif answer.status == BookingStatus.CONFIRMED:
        # Only a switch gives seats up: a plain booking spares the audit's read.
        released = (
            sessions_released_by_switch(booking_id=answer.booking_id or 0)
            if switch
            else []
        )
        if released:
            messages.success(
                request,
                isolating(
                    _(
                        'Your seat is booked, and your seat in "%(released)s" was '
                        "released. A confirmation is on its way by email."
                    ),
                    {"released": [session.title for session in released]},
                ),
            )
        else:
            messages.success(
                request,
                _("Your seat is booked. A confirmation is on its way by email."),
            )
    else:
        messages.info(
            request,
            _(
                "The session is full: you are on the waiting list, in position "
                "%(position)d. If a seat opens, it is yours automatically."
            )
            % {"position": answer.waitlist_position or 0},
        )


def _changed_since(answer: BookingAnswer) -> bool:
    if not answer.replayed:
        return False  # answered just now: it is what is true now
    current = Booking.objects.filter(pk=answer.booking_id or 0).values_list(
        "status", flat=True
    )
    return current.first() != answer.status


@participant_view
def cancel(
    request: HttpRequest, event: Event, participant: Participant, booking_id: int
) -> HttpResponse:
    """GET, or a POST without ``confirm``: what cancelling does, and a button;
    a POST with ``confirm``: cancel. A cancelled seat cannot be taken back."""
    booking = booking_get_for_participant(
        participant=participant, booking_id=booking_id
    )
    back_to_mine = (request.POST or request.GET).get("back") == "mine"
    back = (
        reverse("my-sessions", kwargs={"event": event.slug})
        if back_to_mine
        else reverse(
            "session-detail", kwargs={"event": event.slug, "code": booking.session.code}
        )
    )
    if booking.status == BookingStatus.CANCELLED:
        messages.info(request, _("This booking is already cancelled."))
        return redirect(back)
    if request.method != "POST" or request.POST.get("confirm") != "1":
        return render(
            request,
            "site/cancel_confirm.html",
            {
                "event": event,
                "participant": participant,
                "booking": booking,
                "session": booking.session,
                "waitlist_position": waitlist_position(booking),
                "back": back,
                "back_to_mine": back_to_mine,
            },
        )
    try:
        booking_cancel(booking=booking, actor=Actor.delegate())
    except TooManyRequests:
        raise  # the 429 page
    except MajlisError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect(back)


@require_POST
@participant_view
def change_access_needs(
    request: HttpRequest, event: Event, participant: Participant, booking_id: int
) -> HttpResponse:
    booking = booking_get_for_participant(
        participant=participant, booking_id=booking_id
    )
    form = AccessNeedsForm(request.POST)
    if form.is_valid():
        try:
            booking_update_access_needs(
                booking=booking,
                needs=form.cleaned_data["access_needs"],
                note=form.cleaned_data["access_needs_note"],
                actor=Actor.delegate(),
            )
        except TooManyRequests:
            raise  # the 429 page
        except MajlisError as error:  # cancelled meanwhile, in another tab
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your access needs are saved."))
    else:
        messages.error(
            request,
            _("Your access needs could not be saved: %(errors)s")
            % {
                "errors": " ".join(
                    str(e) for errs in form.errors.values() for e in errs
                )
            },
        )
    return redirect("my-sessions", event=event.slug)


@participant_view
def my_sessions(
    request: HttpRequest, event: Event, participant: Participant
) -> HttpResponse:
    found = event
    bookings = booking_list_latest_per_session(participant=participant)
    seats = seat_lines(participant)
    for booking in bookings:
        booking.seat_lines = (  # type: ignore[attr-defined]
            seats.get(booking.session_id, [])
            if booking.status == BookingStatus.CONFIRMED
            else []
        )
        booking.access_form = AccessNeedsForm(  # type: ignore[attr-defined]
            initial={
                "access_needs": booking.access_needs,
                "access_needs_note": booking.access_needs_note,
            },
            auto_id=f"needs-{booking.pk}-%s",
        )
    return render(
        request,
        "site/my_sessions.html",
        {
            "event": found,
            "participant": participant,
            "bookings": bookings,
            "qr_svg": checkin_qr_svg(participant.checkin_code),
            "calendar_feed": calendar_feed_get(participant=participant),
        },
    )


@participant_view
def booking_calendar(
    request: HttpRequest, event: Event, participant: Participant, booking_id: int
) -> HttpResponse:
    booking = booking_get_for_participant(
        participant=participant, booking_id=booking_id
    )
    if not calendar_entry_wanted(booking):
        raise Http404("a place on a waiting list has no calendar entry")
    session = booking.session
    response = HttpResponse(
        booking_ics(booking, title=session.title, description=session.description),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{session.code}.ics"'
    return response
