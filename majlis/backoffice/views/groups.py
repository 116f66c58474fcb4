"""A session's Groups page: form the tables, see them beside a random
arrangement's figures, move a person, seat late arrivals, publish.

Every change is a plain form post answered by a redirect to the page, so the
page works without JavaScript; the services of ``majlis.groups`` decide.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from majlis.backoffice.access import (
    Capability,
    event_get_for_staff,
    session_get_for_staff,
)
from majlis.backoffice.group_forms import (
    GroupPlanForm,
    MoveForm,
    VersionForm,
)
from majlis.backoffice.views.common import change_reported
from majlis.bookings.models import Booking
from majlis.core.exceptions import InvalidInput, MajlisError, NotFound
from majlis.core.translation import isolating
from majlis.events.models import Event, Session
from majlis.groups import services
from majlis.groups.models import GroupKind, GroupPlan
from majlis.groups.selectors import (
    PlanView,
    group_plan_of_session,
    group_plan_view,
    people_to_place,
)


def _session(request: HttpRequest, event: str, code: str) -> tuple[Event, Session]:
    """The session if the caller may arrange its groups: its organisers and
    the secretariat (those who see its roster)."""
    found = event_get_for_staff(request.user, event)
    return found, session_get_for_staff(
        request.user, found, code, Capability.SEE_ROSTER
    )


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _page(found: Event, session: Session) -> HttpResponse:
    return redirect("backoffice:groups", event=found.slug, code=session.code)


def _figure_rows(view: PlanView) -> list[dict[str, Any]]:
    """The figures in plain words: this arrangement, a random one, and what
    no arrangement can beat."""
    mine, chance = view.figures, view.random_figures
    if not mine:
        return []
    yes, no = _("yes"), _("no")
    rows = []
    if view.plan.rounds > 1:
        rows.append(
            {
                "label": _("Pairs who sit together in more than one round"),
                "mine": mine["repeated_pairs"],
                "random": chance.get("repeated_pairs", "—"),
                "best": mine["lower_bound"],
            }
        )
    rows.append(
        {
            "label": _(
                "Seats out of balance (constituency, region, language and gender "
                "spread as evenly as their numbers allow: 0)"
            ),
            "mine": mine["balance_deviation"],
            "random": chance.get("balance_deviation", "—"),
            "best": 0,
        }
    )
    rows.append(
        {
            "label": _("Pairs of colleagues (same organisation) at one table"),
            "mine": mine["same_organisation_pairs"],
            "random": chance.get("same_organisation_pairs", "—"),
            "best": mine["same_organisation_pairs_unavoidable"],
        }
    )
    if mine.get("first_choice_share") is not None:
        rows.append(
            {
                "label": _("People seated at their first-choice topic"),
                "mine": _percent(mine["first_choice_share"]),
                "random": _percent(chance.get("first_choice_share")),
                "best": "—",
            }
        )
    rows.append(
        {
            "label": _("Table sizes within one of each other"),
            "mine": yes if mine["sizes_within_one"] else no,
            "random": _yes_no(chance.get("sizes_within_one"), yes, no),
            "best": yes,
        }
    )
    if view.hosts:
        rows.append(
            {
                "label": _("Hosts at their table in every round"),
                "mine": yes if mine["hosts_in_place"] else no,
                "random": _yes_no(chance.get("hosts_in_place"), yes, no),
                "best": yes,
            }
        )
    return rows


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    """A random arrangement's yes or no; "—" when there is none to show."""
    if value is None:
        return "—"
    return yes if value else no


def _percent(share: float | None) -> str:
    if share is None:
        return "—"
    return _("%(percent)d%%") % {"percent": round(share * 100)}


def _render(
    request: HttpRequest,
    found: Event,
    session: Session,
    form: GroupPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = group_plan_view(session)
    plan = view.plan if view is not None else None
    people = view.people if view is not None else people_to_place(session)
    if form is None:
        hosts = view.hosts if view is not None else {}
        form = GroupPlanForm(
            initial=GroupPlanForm.initial_of(plan, hosts=hosts),
            people=people,
            host_rows=max(len(hosts) + 2, 3),
        )
    seated = [
        person for person in people if view is not None and person not in view.unseated
    ]
    context = {
        "event": found,
        "backoffice": True,
        "session": session,
        "view": view,
        "plan": plan,
        "form": form,
        "figures": _figure_rows(view) if view is not None else [],
        "move_form": MoveForm(
            initial={"version": plan.version},
            plan=plan,
            people=seated,
            prefix="move",
        )
        if plan is not None and view is not None and view.rounds
        else None,
        "version": plan.version if plan is not None else 0,
        "is_topics": plan is not None and plan.kind == GroupKind.TOPICS,
    }
    return render(request, "backoffice/groups.html", context, status=status)


@login_required
def groups(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """The page, and the form that forms the groups (or saves the topics)."""
    found, session = _session(request, event, code)
    if request.method != "POST":
        return _render(request, found, session)
    view = group_plan_view(session)
    people = view.people if view is not None else people_to_place(session)
    rows = sum(1 for key in request.POST if key.startswith("host_table_"))
    form = GroupPlanForm(
        request.POST, people=people, host_rows=min(max(rows, 1), len(people) or 1)
    )
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _render(request, found, session, form, status=400)
    data = form.cleaned_data
    try:
        if "save_topics" in request.POST:
            services.set_topics(
                actor=_actor(request),
                session=session,
                topics=form.topics(),
                expected_version=data["version"],
            )
            messages.success(request, _("The topics are saved."))
        else:
            seed = data["seed"] + (1 if "another" in request.POST else 0)
            services.plan_groups(
                actor=_actor(request),
                session=session,
                kind=data["kind"],
                tables=data["tables"],
                group_size=data["group_size"],
                rounds=data["rounds"],
                hosts=form.hosts(),
                whom=data["whom"],
                seed=seed,
                topics=form.topics(),
                expected_version=data["version"],
            )
            messages.success(
                request,
                _("The groups are formed: look at them below, then publish them."),
            )
    except MajlisError as error:
        messages.error(request, str(error.message))
        return _render(request, found, session, form, status=400)
    return _page(found, session)


def _plan_for_change(
    request: HttpRequest, event: str, code: str
) -> tuple[Event, Session, GroupPlan, int]:
    found, session = _session(request, event, code)
    plan = group_plan_of_session(session)
    if plan is None:
        raise NotFound()
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput()
    return found, session, plan, form.cleaned_data["version"]


@require_POST
@login_required
def groups_move(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Seat one person at another table in one round."""
    found, session = _session(request, event, code)
    view = group_plan_view(session)
    if view is None:
        raise NotFound()
    form = MoveForm(request.POST, plan=view.plan, people=view.people, prefix="move")
    if not form.is_valid():
        messages.error(request, _("Choose a person, a round and a table."))
        return _page(found, session)
    booking = (
        Booking.objects.select_related("participant")
        .filter(pk=int(form.cleaned_data["person"]), session=session)
        .first()
    )
    if booking is None:
        raise NotFound()
    change_reported(
        request,
        lambda: services.move_person(
            actor=_actor(request),
            plan=view.plan,
            booking=booking,
            round=form.cleaned_data["round"],
            table=form.cleaned_data["table"],
            expected_version=form.cleaned_data["version"],
        ),
        lambda _plan: isolating(
            _("%(name)s now sits at table %(table)d in round %(round)d."),
            {
                "name": booking.participant.name,
                "table": form.cleaned_data["table"],
                "round": form.cleaned_data["round"],
            },
        ),
    )
    return _page(found, session)


def _change_plan(
    request: HttpRequest,
    event: str,
    code: str,
    change: Callable[[GroupPlan, int], str],
) -> HttpResponse:
    """Make one change of the arrangement at the version the page showed;
    ``change`` says what it did."""
    try:
        found, session, plan, version = _plan_for_change(request, event, code)
    except InvalidInput:
        found, session = _session(request, event, code)
        messages.error(request, str(InvalidInput.default_message))
        return _page(found, session)
    change_reported(request, lambda: change(plan, version), lambda text: text)
    return _page(found, session)


@require_POST
@login_required
def groups_late(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Seat the late arrivals without moving anyone."""

    def seat(plan: GroupPlan, version: int) -> str:
        count = services.seat_late_arrivals(
            actor=_actor(request), plan=plan, expected_version=version
        )
        if not count:
            return _("Everyone to place already has a seat.")
        return ngettext(
            "%(count)d late arrival is seated; nobody else moved.",
            "%(count)d late arrivals are seated; nobody else moved.",
            count,
        ) % {"count": count}

    return _change_plan(request, event, code, seat)


@require_POST
@login_required
def groups_publish(request: HttpRequest, event: str, code: str) -> HttpResponse:
    """Publish the arrangement to its delegates, or take it back."""

    def publish(plan: GroupPlan, version: int) -> str:
        if "unpublish" in request.POST:
            services.unpublish(
                actor=_actor(request), plan=plan, expected_version=version
            )
            return _(
                "The arrangement is a draft again: the delegates no longer see it."
            )
        services.publish(actor=_actor(request), plan=plan, expected_version=version)
        return _(
            "The arrangement is published: each delegate sees their tables "
            "on their sessions page."
        )

    return _change_plan(request, event, code, publish)
