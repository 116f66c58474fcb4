"""What every back-office page shares."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest

from majlis.backoffice.access import (
    Capability,
    can,
    event_get_for_staff,
)
from majlis.bookings.services import (
    Actor,
)
from majlis.core.exceptions import MajlisError, PermissionDenied
from majlis.events.models import Event


def staff_actor(request: HttpRequest) -> Actor:
    user = request.user
    return Actor.organiser(user) if isinstance(user, User) else Actor.system()


def confirmed(request: HttpRequest) -> bool:
    """A change that cannot be undone is made only by the confirmation page's
    button; the buttons that lead there only ask."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def secretariat_event(request: HttpRequest, event: str) -> Event:
    found = event_get_for_staff(request.user, event)
    if not can(request.user, found, Capability.RUN_EVENT):
        raise PermissionDenied()
    return found


def change_reported[T](
    request: HttpRequest, change: Callable[[], T], success: Callable[[T], str]
) -> bool:
    """Make one change through a service for a page: its refusal becomes the
    error message, its result the success message ``success`` words. True if
    the change was made."""
    try:
        result = change()
    except MajlisError as error:
        messages.error(request, str(error.message))
        return False
    messages.success(request, success(result))
    return True
