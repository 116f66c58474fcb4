"""The back office: staff sign in with a password and work on the sessions
their role gives them. Every access decision is made in ``access.py``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from majlis.accounts.importing import (
    ImportTooLarge,
    import_limits,
    import_size_check,
    read_delegates,
)
from majlis.accounts.models import Constituency, Participant
from majlis.accounts.services import (
    ImportRejected,
    ParticipantForm,
    participant_import_check,
    participant_import_rows,
    participant_upsert,
)
from majlis.backoffice.access import (
    Capability,
    can,
    event_get_for_staff,
    event_list_for_staff,
    session_get_for_staff,
    session_list_for_staff,
)
from majlis.backoffice.exports import dashboard_csv, roster_csv, roster_xlsx
from majlis.backoffice.import_previews import (
    import_preview_store,
    import_preview_take,
)
from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.backoffice.pdf import attendance_sheet_pdf, name_cards_pdf
from majlis.backoffice.selectors import (
    ROSTER_SORTS,
    DoorMatch,
    door_participant,
    door_search,
    event_dashboard,
    participant_by_checkin_code,
    roster_bookings,
)
from majlis.backoffice.services import (
    SUBJECT_ON_ONE_LINE,
    session_message_send,
    staff_invite,
    staff_role_change,
    subject_has_line_break,
)
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_check_in,
    booking_move,
    booking_walk_in,
    session_release_no_shows,
)
from majlis.core.exceptions import MajlisError, NotFound, PermissionDenied
from majlis.events.forms import EventEditForm, SessionEditForm, session_save_changes
from majlis.events.models import Event, Session
from majlis.events.selectors import session_queryset_with_counts
from majlis.outbox.models import OutboxMessage, OutboxStatus


def staff_actor(request: HttpRequest) -> Actor:
    user = request.user
    return Actor.organiser(user) if isinstance(user, User) else Actor.system()


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


class RosterFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (BookingStatus.CONFIRMED, BookingStatus.CONFIRMED.label),
            (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED.label),
        ],
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    constituency = forms.ChoiceField(
        label=gettext_lazy("Constituency"),
        required=False,
        choices=[("", gettext_lazy("All")), *Constituency.choices],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("booked", gettext_lazy("Order of booking")),
            ("name", gettext_lazy("Name")),
            ("organisation", gettext_lazy("Organisation")),
            ("checked_in", gettext_lazy("Check-in")),
        ],
    )


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


@require_POST
@login_required
def cancel_on_behalf(
    request: HttpRequest, event: str, code: str, booking_id: int
) -> HttpResponse:
    found, session, booking = _booking_on_roster(request, event, code, booking_id)
    try:
        booking_cancel(
            booking=booking, actor=staff_actor(request), enforce_window=False
        )
    except MajlisError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The booking of %(name)s is cancelled.")
            % {"name": booking.participant.name},
        )
    return redirect("backoffice:roster", event=found.slug, code=session.code)


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


class SessionMessageForm(forms.Form):
    audience = forms.ChoiceField(
        label=gettext_lazy("To"),
        choices=SessionMessage.Audience.choices,
        widget=forms.RadioSelect,
        initial=SessionMessage.Audience.CONFIRMED,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data["subject"]
        if subject_has_line_break(subject):
            raise forms.ValidationError(SUBJECT_ON_ONE_LINE, code="line_break")
        return subject


@login_required
def session_messages(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Write to the confirmed and/or waiting delegates; see what was sent, to whom."""
    found = event_get_for_staff(request.user, event)
    session = session_get_for_staff(request.user, found, code, Capability.SEE_ROSTER)
    form = SessionMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if not isinstance(user, User):
            raise NotFound()
        sent = session_message_send(
            session=session,
            author=user,
            audience=form.cleaned_data["audience"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        messages.success(
            request,
            ngettext(
                "Your message is on its way to %(count)d delegate.",
                "Your message is on its way to %(count)d delegates.",
                len(sent.recipients),
            )
            % {"count": len(sent.recipients)},
        )
        return redirect("backoffice:messages", event=found.slug, code=session.code)
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
        },
    )


def _secretariat_event(request: HttpRequest, event: str) -> Event:
    found = event_get_for_staff(request.user, event)
    if not can(request.user, found, Capability.RUN_EVENT):
        raise PermissionDenied()
    return found


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("A CSV or Excel (.xlsx) file of registered delegates"),
        help_text=gettext_lazy(
            "Columns: email, name, organisation, constituency, country, language. "
            "The first row names the columns."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            import_size_check(upload.size or 0)
        except ImportTooLarge as error:
            raise forms.ValidationError(str(error.message), code="too_large") from error
        return upload


class DelegateEditForm(ParticipantForm):
    """A delegate's details; the email is who they are, so it stays."""

    email = None  # type: ignore[assignment]


@login_required
def delegates_import(request: HttpRequest, event: str) -> HttpResponse:
    """Upload, preview, then import: nothing is imported while a row is wrong."""
    found = _secretariat_event(request, event)
    context: dict[str, object] = {
        "event": found,
        "backoffice": True,
        "can_run_event": True,
        "limits": import_limits(),
    }
    user = request.user
    if not isinstance(user, User):
        raise NotFound()
    if request.method == "POST" and request.POST.get("confirm"):
        taken = import_preview_take(
            user=user, event=found, token=request.POST.get("preview", "")
        )
        if taken is None:
            messages.error(
                request, _("Upload the file again: its preview has expired.")
            )
            return redirect("backoffice:import", event=found.slug)
        try:
            count = participant_import_rows(event=found, rows=read_delegates(*taken))
        except ImportRejected as error:
            context["errors"] = error.errors
        except ImportTooLarge as error:  # the limits were lowered meanwhile
            messages.error(request, str(error.message))
            return redirect("backoffice:import", event=found.slug)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d delegate imported.",
                    "%(count)d delegates imported.",
                    count,
                )
                % {"count": count},
            )
            return redirect("backoffice:delegates", event=found.slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not request.POST.get("confirm") and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            rows = read_delegates(upload.name, content)
            errors = participant_import_check(rows=rows)
        except ImportTooLarge as error:
            form.add_error("file", str(error.message))
        except ImportRejected as error:
            context["errors"] = error.errors
        else:
            if errors:
                context["errors"] = errors
            else:
                context["preview_token"] = import_preview_store(
                    user=user, event=found, filename=upload.name, content=content
                )
                context["preview"] = [row for _line, row in rows[:50]]
                context["count"] = len(rows)
    context["form"] = form
    return render(request, "backoffice/import.html", context)


@login_required
def delegates(request: HttpRequest, event: str) -> HttpResponse:
    found = _secretariat_event(request, event)
    query = request.GET.get("q", "").strip()
    people = Participant.objects.filter(event=found).order_by("name")
    if query:
        people = people.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(organisation__icontains=query)
            | Q(checkin_code__iexact=query)
        )
    return render(
        request,
        "backoffice/delegates.html",
        {
            "event": found,
            "backoffice": True,
            "can_run_event": True,
            "query": query,
            "people": people[:200],
            "total": people.count(),
        },
    )


@login_required
def delegate_detail(
    request: HttpRequest, event: str, participant_id: int
) -> HttpResponse:
    found = _secretariat_event(request, event)
    person = Participant.objects.filter(event=found, pk=participant_id).first()
    if person is None:
        raise NotFound()
    form = DelegateEditForm(
        request.POST or None,
        initial={
            "name": person.name,
            "organisation": person.organisation,
            "constituency": person.constituency,
            "country": str(person.country or ""),
            "language": person.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            participant_upsert(
                event=found, data={**form.cleaned_data, "email": person.email}
            )
        except MajlisError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The delegate is saved."))
            return redirect(
                "backoffice:delegate", event=found.slug, participant_id=person.pk
            )
    bookings = (
        Booking.objects.filter(participant=person)
        .select_related("session", "session__event")
        .prefetch_related("changes", "changes__actor_user")
        .order_by("session__starts_at", "pk")
    )
    return render(
        request,
        "backoffice/delegate.html",
        {
            "event": found,
            "backoffice": True,
            "can_run_event": True,
            "person": person,
            "bookings": bookings,
            "form": form,
        },
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


@require_POST
@login_required
def move_on_behalf(
    request: HttpRequest, event: str, code: str, booking_id: int
) -> HttpResponse:
    """Move a booking to another session the caller runs."""
    found, session, booking = _booking_on_roster(request, event, code, booking_id)
    target = (
        session_list_for_staff(request.user, found)
        .filter(pk=request.POST.get("to_session") or 0)
        .first()
    )
    if target is None or target.pk == session.pk:
        raise NotFound()
    try:
        moved = booking_move(
            booking=booking, to_session=target, actor=staff_actor(request)
        )
    except MajlisError as error:
        messages.error(request, str(error.message))
    else:
        if moved.status == BookingStatus.CONFIRMED:
            text = _("%(name)s now has a seat in %(session)s.")
        else:
            text = _(
                "%(session)s is full: %(name)s waits there and keeps their seat here."
            )
        messages.success(
            request, text % {"name": booking.participant.name, "session": target.title}
        )
    return redirect("backoffice:roster", event=found.slug, code=session.code)


class SessionsField(forms.ModelMultipleChoiceField):
    """The event's sessions as checkboxes, named in the page's language."""

    def label_from_instance(self, obj: Session) -> str:
        return obj.title


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=StaffRole.Role.choices,
        widget=forms.RadioSelect,
    )
    sessions = SessionsField(
        label=gettext_lazy("Sessions (for organisers and door staff)"),
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, event: Event, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        sessions = self.fields["sessions"]
        if isinstance(sessions, forms.ModelMultipleChoiceField):
            sessions.queryset = (
                Session.objects.filter(event=event)
                .select_related("event")
                .order_by("starts_at", "code")
            )


class StaffInviteForm(StaffRoleForm):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=StaffRole.Role.choices)
    field_order = ["email", "role", "sessions"]


@login_required
def staff(request: HttpRequest, event: str) -> HttpResponse:
    """The secretariat invites staff by email and sees who has which role."""
    found = _secretariat_event(request, event)
    form = StaffInviteForm(request.POST or None, event=found)
    if request.method == "POST" and form.is_valid():
        invited = staff_invite(
            event=found,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            sessions=list(form.cleaned_data["sessions"]),
            language=get_language() or "en",
        )
        messages.success(
            request,
            _("%(email)s is invited; the email is on its way.")
            % {"email": invited.user.email},
        )
        return redirect("backoffice:staff", event=found.slug)
    roles = (
        StaffRole.objects.filter(event=found)
        .select_related("user")
        .prefetch_related("sessions")
        .order_by("role", "user__username")
    )
    return render(
        request,
        "backoffice/staff.html",
        {
            "event": found,
            "backoffice": True,
            "can_run_event": True,
            "form": form,
            "roles": roles,
        },
    )


@login_required
def session_edit(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """The secretariat edits a session: texts per language, rooms, format,
    languages, times (in the event's zone), capacity, waiting list."""
    found = _secretariat_event(request, event)
    session = session_list_for_staff(request.user, found).filter(code=code).first()
    if session is None:
        raise NotFound()
    with timezone.override(found.zone):
        form = SessionEditForm(request.POST or None, instance=session)
        if request.method == "POST" and form.is_valid():
            refused = session_save_changes(form=form, actor=staff_actor(request))
            if refused is None:
                messages.success(request, _("The session is saved."))
                return redirect("backoffice:sessions", event=found.slug)
            messages.error(request, str(refused.message))
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
    found = _secretariat_event(request, event)
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


@require_POST
@login_required
def staff_remove(request: HttpRequest, event: str, role_id: int) -> HttpResponse:
    """Take a role in this event away from someone (their account stays)."""
    found = _secretariat_event(request, event)
    role = (
        StaffRole.objects.filter(event=found, pk=role_id).select_related("user").first()
    )
    if role is None:
        raise NotFound()
    if role.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own role."))
    else:
        role.delete()
        messages.success(
            request,
            _("%(email)s no longer has a role here.") % {"email": role.user.email},
        )
    return redirect("backoffice:staff", event=found.slug)


@login_required
def staff_edit(request: HttpRequest, event: str, role_id: int) -> HttpResponse:
    """The secretariat changes someone's role and the sessions they work at."""
    found = _secretariat_event(request, event)
    staff = (
        StaffRole.objects.filter(event=found, pk=role_id).select_related("user").first()
    )
    if staff is None:
        raise NotFound()
    form = StaffRoleForm(
        request.POST or None,
        event=found,
        initial={"role": staff.role, "sessions": list(staff.sessions.all())},
    )
    user = request.user
    if request.method == "POST" and form.is_valid() and isinstance(user, User):
        try:
            staff_role_change(
                staff=staff,
                role=form.cleaned_data["role"],
                sessions=list(form.cleaned_data["sessions"]),
                changed_by=user,
            )
        except MajlisError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("The role and sessions of %(email)s are saved.")
                % {"email": staff.user.email},
            )
            return redirect("backoffice:staff", event=found.slug)
    return render(
        request,
        "backoffice/staff_edit.html",
        {
            "event": found,
            "backoffice": True,
            "can_run_event": True,
            "staff": staff,
            "form": form,
            "own": staff.user_id == user.pk,
        },
    )
