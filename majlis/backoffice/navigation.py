"""The back office's navigation: for each role, only the pages it may open."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from majlis.backoffice.access import Capability, User, can, event_list_for_staff
from majlis.events.models import Event

# Each page of an event's back office, and what its user must be able to do
# (None: anyone on the event's staff).
PAGES = (
    ("backoffice:sessions", _("Sessions"), None),
    ("backoffice:dashboard", _("Dashboard"), Capability.SEE_ROSTER),
    ("backoffice:delegates", _("Delegates"), Capability.RUN_EVENT),
    ("backoffice:staff", _("Staff"), Capability.RUN_EVENT),
    ("backoffice:event-edit", _("Event settings"), Capability.RUN_EVENT),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def backoffice_links(user: User, event: Event, path: str = "") -> list[NavLink]:
    """The links of ``event``'s back office that ``user`` may follow."""
    links = []
    for name, label, needed in PAGES:
        if needed is None or can(user, event, needed):
            url = reverse(name, kwargs={"event": event.slug})
            links.append(NavLink(url, str(label), url == path))
    return links


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``backoffice_links`` on the pages of an event's back
    office, worked out only when a template shows them."""
    match = request.resolver_match
    slug = (
        match.kwargs.get("event")
        if match and "backoffice" in match.namespaces
        else None
    )
    if not slug:
        return {"backoffice_links": []}

    def links() -> list[NavLink]:
        event = event_list_for_staff(request.user).filter(slug=slug).first()
        if event is None:
            return []
        return backoffice_links(request.user, event, request.path)

    return {"backoffice_links": SimpleLazyObject(links)}
