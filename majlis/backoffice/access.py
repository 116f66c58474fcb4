"""Who on the staff may see and do what: the only place that decides it.

Every back-office view asks here. Sessions and people that are not the
caller's are ``NotFound``, not forbidden, so that addresses reveal nothing;
an action a role may not take on a session it can see is ``PermissionDenied``.
"""

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from majlis.backoffice.models import StaffRole
from majlis.core.exceptions import NotFound, PermissionDenied
from majlis.events.models import Event, Session

User = AbstractBaseUser | AnonymousUser


class Capability(StrEnum):
    SEE_ROSTER = "see_roster"  # rosters, exports, messages, groups, booking on behalf
    CHECK_IN = "check_in"
    RUN_EVENT = "run_event"  # event setup, every delegate, every session


ROLE_CAPABILITIES = {
    StaffRole.Role.SECRETARIAT: {
        Capability.SEE_ROSTER,
        Capability.CHECK_IN,
        Capability.RUN_EVENT,
    },
    StaffRole.Role.ORGANISER: {Capability.SEE_ROSTER, Capability.CHECK_IN},
    StaffRole.Role.DOOR: {Capability.CHECK_IN},
}


def staff_role(user: User, event: Event) -> StaffRole | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return StaffRole.objects.filter(user_id=user.pk, event=event).first()


def is_secretariat(user: User, event: Event) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    role = staff_role(user, event)
    return role is not None and role.role == StaffRole.Role.SECRETARIAT


def event_list_for_staff(user: User) -> QuerySet[Event]:
    if getattr(user, "is_superuser", False):
        return Event.objects.order_by("slug")
    if not user.is_authenticated or user.pk is None:
        return Event.objects.none()
    return (
        Event.objects.filter(staff_roles__user_id=user.pk).distinct().order_by("slug")
    )


def event_get_for_staff(user: User, slug: str) -> Event:
    event = event_list_for_staff(user).filter(slug=slug).first()
    if event is None:
        raise NotFound()
    return event


def session_list_for_staff(user: User, event: Event) -> QuerySet[Session]:
    sessions = Session.objects.filter(event=event).select_related("event")
    if is_secretariat(user, event):
        return sessions
    role = staff_role(user, event)
    if role is None:
        return sessions.none()
    return sessions.filter(staff_roles=role)


def session_get_for_staff(
    user: User, event: Event, code: str, capability: Capability
) -> Session:
    """The session if the caller works at it (``NotFound`` otherwise) and may
    do ``capability`` there (``PermissionDenied`` otherwise)."""
    session = session_list_for_staff(user, event).filter(code=code).first()
    if session is None:
        raise NotFound()
    if not can(user, event, capability):
        raise PermissionDenied()
    return session


def can(user: User, event: Event, capability: Capability) -> bool:
    if is_secretariat(user, event):
        return True
    role = staff_role(user, event)
    return (
        role is not None and capability in ROLE_CAPABILITIES[StaffRole.Role(role.role)]
    )
