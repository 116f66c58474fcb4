"""The event's delegates: import, search, edit, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.accounts.importing import (
    ImportTooLarge,
    import_limits,
    import_template_csv,
    import_template_xlsx,
    read_delegates,
)
from majlis.accounts.models import Constituency, Gender, Language, Participant
from majlis.accounts.services import (
    ImportRejected,
    participant_import_check,
    participant_import_rows,
    participant_upsert,
)
from majlis.backoffice.forms import (
    DelegateEditForm,
    ImportForm,
)
from majlis.backoffice.import_previews import (
    import_preview_store,
    import_preview_take,
)
from majlis.backoffice.views.common import secretariat_event
from majlis.bookings.models import Booking
from majlis.core.exceptions import MajlisError, NotFound


def import_columns() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each column of a file of delegates: its name, what it holds, and the
    codes it accepts with their meaning, in the reader's language."""
    return [
        (
            "email",
            _("Required: the delegate's email address, which they sign in with."),
            [],
        ),
        ("name", _("Required: the name on rosters and badges."), []),
        ("organisation", _("Optional."), []),
        (
            "constituency",
            _("Optional (empty means other). One of these codes:"),
            [(code, str(label)) for code, label in Constituency.choices],
        ),
        (
            "country",
            _(
                "Optional: the ISO 3166-1 alpha-2 code, two letters, such as MA "
                "for Morocco."
            ),
            [],
        ),
        (
            "language",
            _(
                "Optional (empty means en): the language of the delegate's "
                "emails. One of these codes:"
            ),
            [(code, str(label)) for code, label in Language.choices],
        ),
        (
            "gender",
            _(
                "Optional, used only to mix the tables of a session's groups "
                "(empty means not given; a file without this column keeps what "
                "is stored). One of these codes:"
            ),
            [(code, str(label)) for code, label in Gender.choices if code],
        ),
    ]


@login_required
def delegates_import(request: HttpRequest, event: str) -> HttpResponse:
    """Upload, preview, then import: nothing is imported while a row is wrong."""
    found = secretariat_event(request, event)
    context: dict[str, object] = {
        "event": found,
        "backoffice": True,
        "can_run_event": True,
        "limits": import_limits(),
        "columns": import_columns(),
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
            done = participant_import_rows(
                event=found,
                rows=read_delegates(*taken),
                welcome=bool(request.POST.get("welcome")),
            )
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
                    done.imported,
                )
                % {"count": done.imported},
            )
            if request.POST.get("welcome"):
                messages.info(
                    request,
                    ngettext(
                        "A welcome email with a sign-in link is on its way to "
                        "%(count)d new delegate.",
                        "A welcome email with a sign-in link is on its way to "
                        "%(count)d new delegates.",
                        done.welcomed,
                    )
                    % {"count": done.welcomed},
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


TEMPLATES = {
    "csv": (import_template_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        import_template_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@login_required
def delegates_import_template(
    request: HttpRequest, event: str, kind: str
) -> HttpResponse:
    """A file of delegates to fill in (CSV or Excel): the header and an example row."""
    found = secretariat_event(request, event)
    if kind not in TEMPLATES:
        raise NotFound()
    make, content_type = TEMPLATES[kind]
    response = HttpResponse(make(), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{found.slug}-delegates.{kind}"'
    )
    return response


@login_required
def delegates(request: HttpRequest, event: str) -> HttpResponse:
    found = secretariat_event(request, event)
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
    found = secretariat_event(request, event)
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
            "gender": person.gender,
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
