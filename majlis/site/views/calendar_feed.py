"""A delegate's calendar subscription: one private address (``webcal://``)
listing all their seats, and the "my sessions" button that makes a new one."""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from majlis.accounts.selectors import calendar_feed_participant
from majlis.accounts.services import calendar_feed_issue, calendar_feed_revoke
from majlis.bookings.calendar import bookings_feed_ics
from majlis.bookings.selectors import booking_list_for_participant
from majlis.events.selectors import event_get
from majlis.site.signin import signed_in_participant


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription a calendar reads: no cookie, the token is the key.
    Titles in the delegate's preferred language, as their email."""
    participant = calendar_feed_participant(token=token)
    if participant is None:
        raise Http404("no such calendar")
    with translation.override(participant.language):
        body = bookings_feed_ics(
            booking_list_for_participant(participant=participant),
            name=_("%(event)s: my sessions") % {"event": participant.event.name},
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Personal: no shared cache may keep it, and a new booking shows at the
    # calendar's next look.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_addresses(token: str) -> tuple[str, str]:
    """The subscription's ``webcal://`` address, which opens the calendar app,
    and its ``https://`` (or ``http://``) one, for calendars that ask for a URL."""
    path = reverse("calendar-feed", kwargs={"token": token})
    web = settings.BASE_URL.rstrip("/") + path
    parts = urlsplit(web)
    return urlunsplit(("webcal", *parts[1:])), web


@require_POST
def calendar_feed_issue_view(request: HttpRequest, event: str) -> HttpResponse:
    """Make a new subscription address (the old one stops working), shown
    once: only its hash is kept. Or, with ``stop``, end it."""
    found = event_get(slug=event)
    participant = signed_in_participant(request, found)
    mine = reverse("my-sessions", kwargs={"event": found.slug})
    if participant is None:
        sign_in = reverse("sign-in", kwargs={"event": found.slug})
        return redirect(f"{sign_in}?{urlencode({'next': mine})}")
    if request.POST.get("stop"):
        calendar_feed_revoke(participant=participant)
        messages.success(
            request,
            _("Your calendar subscription is stopped: its address no longer works."),
        )
        return redirect(mine)
    webcal, web = feed_addresses(calendar_feed_issue(participant=participant))
    response = render(
        request,
        "site/calendar_feed.html",
        {"event": found, "participant": participant, "webcal": webcal, "web": web},
    )
    # The address is a secret shown once: no cache, no back-button copy.
    patch_cache_control(response, private=True, no_store=True)
    return response
