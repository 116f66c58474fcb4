"""A session's roster: filters, exports, cancelling or moving on a delegate's
behalf, and messages to its delegates."""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.backoffice.access import (
    Capability,
    event_get_for_staff,
    session_get_for_staff,
    session_list_for_staff,
)
from majlis.backoffice.emails import session_message_previews
from majlis.backoffice.exports import roster_csv, roster_xlsx
from majlis.backoffice.forms import (
    RosterFilter,
    SessionMessageForm,
)
from majlis.backoffice.models import SessionMessage
from majlis.backoffice.pdf import attendance_sheet_pdf, name_cards_pdf
from majlis.backoffice.selectors import (
    ROSTER_SORTS,
    roster_bookings,
    session_message_recipients,
    session_message_send_token,
)
from majlis.backoffice.services import (
    session_message_send,
)
from majlis.backoffice.views.common import change_reported, confirmed, staff_actor
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import waitlist_position
from majlis.bookings.services import (
    booking_cancel,
    booking_move,
)
from majlis.core.exceptions import NotFound
from majlis.core.translation import isolating
from majlis.events.models import Event, Session
from majlis.outbox.models import OutboxMessage, OutboxStatus


def _roster(
    request: HttpRequest, event: str, code: str
) -> tuple[Event, Session, RosterFilter, QuerySet[Booking]]:
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.SEE_ROSTER)
    form = RosterFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    bookings = roster_bookings(
        session=session,
        status=filters.get("status", ""),
        query=filters.get("q", ""),
        constituency=filters.get("constituency", ""),
        sort=filters.get("sort") or "booked",
    )
    return found, session, form, bookings


@login_required
def roster(request: HttpRequest, event: str, code: str) -> HttpResponse:
    found, session, form, bookings = _roster(request, event, code)
    return render(
        request,
        "backoffice/roster.html",
        {
            "event": found,
            "backoffice": True,
            "session": session,
            "form": form,
            "bookings": bookings,
            "sorts": ROSTER_SORTS,
            "other_sessions": session_list_for_staff(request.user, found).exclude(
                pk=session.pk
            ),
        },
    )


@login_required
def roster_export(
    request: HttpRequest, event: str, code: str, kind: str
) -> HttpResponse:
    _found, session, _form, bookings = _roster(request, event, code)
    if kind == "csv":
        response = HttpResponse(roster_csv(session, bookings), content_type="text/csv")
    elif kind == "xlsx":
        response = HttpResponse(
            roster_xlsx(session, bookings),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif kind in ("pdf", "cards.pdf"):
        # The people expected in the room: confirmed bookings, by name.
        expected = bookings.filter(status=BookingStatus.CONFIRMED).order_by(
            "participant__name"
        )
        render = attendance_sheet_pdf if kind == "pdf" else name_cards_pdf
        response = HttpResponse(
            render(session, expected), content_type="application/pdf"
        )
    else:
        raise NotFound()
    response["Content-Disposition"] = (
        f'attachment; filename="{session.code}-roster.{kind}"'
    )
    return response


def _booking_on_roster(
    request: HttpRequest, event: str, code: str, booking_id: int
) -> tuple[Event, Session, Booking]:
    """A booking of a session whose roster the caller may act on, or ``NotFound``."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.SEE_ROSTER)
    booking = (
        Booking.objects.select_related("participant", "session")
        .filter(pk=booking_id, session=session)
        .first()
    )
    if booking is None:
        raise NotFound()
    return found, session, booking


def _change_booking[T](
    request: HttpRequest,
    found: Event,
    session: Session,
    booking: Booking,
    *,
    back: str,
    confirm_page: str,
    page: Callable[[], dict[str, object]],
    change: Callable[[], T],
    success: Callable[[T], str],
) -> HttpResponse:
    """What a change of a booking from the roster goes through: nothing to do
    on a cancelled booking; then the confirmation page (``page`` adds to what
    it shows); then, confirmed, the change."""
    if booking.status == BookingStatus.CANCELLED:
        messages.info(request, _("This booking is already cancelled."))
        return redirect(back)
    if not confirmed(request):
        return render(
            request,
            confirm_page,
            {
                "event": found,
                "backoffice": True,
                "session": session,
                "booking": booking,
                "back": back,
                **page(),
            },
        )
    change_reported(request, change, success)
    return redirect(back)


@login_required
def cancel_on_behalf(
    request: HttpRequest, event: str, code: str, booking_id: int
) -> HttpResponse:
    """GET, or a POST without ``confirm``: what cancelling does, and a button;
    a POST with ``confirm``: cancel."""
    found, session, booking = _booking_on_roster(request, event, code, booking_id)
    return _change_booking(
        request,
        found,
        session,
        booking,
        back=reverse("backoffice:roster", kwargs={"event": found.slug, "code": code}),
        confirm_page="backoffice/confirm_cancel.html",
        page=lambda: {"waitlist_position": waitlist_position(booking)},
        change=lambda: booking_cancel(
            booking=booking, actor=staff_actor(request), enforce_window=False
        ),
        success=lambda _cancelled: isolating(
            _("The booking of %(name)s is cancelled."),
            {"name": booking.participant.name},
        ),
    )


@login_required
def move_on_behalf(
    request: HttpRequest, event: str, code: str, booking_id: int
) -> HttpResponse:
    """Move a booking to another session the caller runs: first what it does,
    then, with ``confirm``, the move."""
    found, session, booking = _booking_on_roster(request, event, code, booking_id)
    back = reverse("backoffice:roster", kwargs={"event": found.slug, "code": code})
    wanted = (request.POST or request.GET).get("to_session", "")
    target = (
        session_list_for_staff(request.user, found).filter(pk=int(wanted)).first()
        if wanted.isascii() and wanted.isdigit()
        else None
    )
    if target is None or target.pk == session.pk:
        raise NotFound()

    def said(moved: Booking) -> str:
        if moved.status == BookingStatus.CONFIRMED:
            text = _("%(name)s now has a seat in %(session)s.")
        else:
            text = _(
                "%(session)s is full: %(name)s waits there and keeps their seat here."
            )
        return isolating(
            text, {"name": booking.participant.name, "session": target.title}
        )

    return _change_booking(
        request,
        found,
        session,
        booking,
        back=back,
        confirm_page="backoffice/confirm_move.html",
        page=lambda: {
            "target": target,
            "target_has_seat": target.seats_taken < target.capacity,
        },
        change=lambda: booking_move(
            booking=booking, to_session=target, actor=staff_actor(request)
        ),
        success=said,
    )


def _send_token(request: HttpRequest) -> uuid.UUID | None:
    """The preview a send is confirmed from; none from a page made before
    previews carried one."""
    try:
        return uuid.UUID(request.POST.get("send_token", ""))
    except ValueError:
        return None


@login_required
def session_messages(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Write to the confirmed and/or waiting delegates, see the message as each
    language's delegates will read it and how many it goes to, then confirm
    (plain forms: no script needed); see what was sent, to whom."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.SEE_ROSTER)
    user = request.user
    if not isinstance(user, User):
        raise NotFound()
    form = SessionMessageForm(request.POST or None, author=user, event=found)
    context: dict[str, object] = {}
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        data = form.cleaned_data
        if "confirm" in request.POST:
            if change_reported(
                request,
                lambda: session_message_send(
                    session=session,
                    author=user,
                    audience=data["audience"],
                    subject=data["subject"],
                    body=data["body"],
                    versions=form.versions(),
                    reply_to=data["reply_to"],
                    send_token=_send_token(request),
                ),
                lambda sent: (
                    ngettext(
                        "Your message is on its way to %(count)d delegate.",
                        "Your message is on its way to %(count)d delegates.",
                        len(sent.recipients),
                    )
                    % {"count": len(sent.recipients)}
                ),
            ):
                return redirect(
                    "backoffice:messages", event=found.slug, code=session.code
                )
        else:
            recipients = session_message_recipients(
                session=session, audience=data["audience"]
            )
            draft = SessionMessage(
                session=session,
                subject=data["subject"].strip(),
                body=data["body"].strip(),
                versions={
                    language: {part: text.strip() for part, text in version.items()}
                    for language, version in form.versions().items()
                },
                reply_to=data["reply_to"],
            )
            context.update(
                previews=session_message_previews(written=draft, recipients=recipients),
                recipient_count=len(recipients),
                reply_to=data["reply_to"],
                send_token=session_message_send_token(
                    session=session,
                    audience=data["audience"],
                    subject=draft.subject,
                    body=draft.body,
                    versions=draft.versions,
                    reply_to=data["reply_to"],
                ),
            )
    sent_before = list(
        SessionMessage.objects.filter(session=session).select_related("author")
    )
    for written in sent_before:
        deliveries = OutboxMessage.objects.filter(
            kind="session_message", payload__message=written.pk
        )
        written.delivered = deliveries.filter(status=OutboxStatus.SENT).count()  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/messages.html",
        {
            "event": found,
            "backoffice": True,
            "session": session,
            "form": form,
            "sent": sent_before,
            **context,
        },
    )
