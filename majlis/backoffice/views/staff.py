"""The event's staff: invitations, roles and their sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from majlis.backoffice.forms import (
    StaffInviteForm,
    StaffRoleForm,
)
from majlis.backoffice.models import StaffRole
from majlis.backoffice.services import (
    staff_invite,
    staff_role_change,
)
from majlis.backoffice.views.common import confirmed, secretariat_event
from majlis.core.exceptions import MajlisError, NotFound
from majlis.core.translation import isolating
from majlis.events.models import Event


@login_required
def staff(request: HttpRequest, event: str) -> HttpResponse:
    """The secretariat invites staff by email and sees who has which role."""
    found = secretariat_event(request, event)
    form = StaffInviteForm(request.POST or None, event=found)
    if request.method == "POST" and form.is_valid():
        try:
            invited = staff_invite(
                event=found,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                sessions=list(form.cleaned_data["sessions"]),
                language=get_language() or "en",
                replace=form.cleaned_data["replace"],
                invited_by=request.user if isinstance(request.user, User) else None,
            )
        except MajlisError as error:  # a role given meanwhile, in another tab
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                isolating(
                    _("%(email)s is invited; the email is on its way."),
                    {"email": invited.user.email},
                ),
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


def _role_in_event(
    request: HttpRequest, event: str, role_id: int
) -> tuple[Event, StaffRole]:
    """A role in an event the caller runs, or ``NotFound``."""
    found = secretariat_event(request, event)
    role = (
        StaffRole.objects.filter(event=found, pk=role_id).select_related("user").first()
    )
    if role is None:
        raise NotFound()
    return found, role


@login_required
def staff_remove(request: HttpRequest, event: str, role_id: int) -> HttpResponse:
    """Take a role in this event away from someone (their account stays): first
    what it does, then, with ``confirm``, the removal."""
    found, role = _role_in_event(request, event, role_id)
    if role.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own role."))
        return redirect("backoffice:staff", event=found.slug)
    if not confirmed(request):
        return render(
            request,
            "backoffice/confirm_staff_remove.html",
            {
                "event": found,
                "backoffice": True,
                "can_run_event": True,
                "staff": role,
                "sessions": [
                    session.title
                    for session in role.sessions.order_by("starts_at", "pk")
                ],
                "back": reverse("backoffice:staff", kwargs={"event": found.slug}),
            },
        )
    role.delete()
    messages.success(
        request,
        isolating(
            _("%(email)s no longer has a role here."), {"email": role.user.email}
        ),
    )
    return redirect("backoffice:staff", event=found.slug)


@login_required
def staff_edit(request: HttpRequest, event: str, role_id: int) -> HttpResponse:
    """The secretariat changes someone's role and the sessions they work at."""
    found, staff = _role_in_event(request, event, role_id)
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
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                isolating(
                    _("The role and sessions of %(email)s are saved."),
                    {"email": staff.user.email},
                ),
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
