"""Delegates sign in with a one-time link sent by email; no passwords."""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from majlis.accounts.services import (
    SIGN_IN_CLIENT_LIMIT,
    magic_link_consume,
    magic_link_request,
)
from majlis.core.exceptions import TooManyRequests
from majlis.core.ratelimit import client_address, limiter
from majlis.events.models import Event
from majlis.events.selectors import event_get
from majlis.site.signin import (
    participant_set_language,
    participant_sign_in,
    signed_in_participant,
)


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address, as registered for the conference"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


def _safe_next(request: HttpRequest, candidate: str, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _client_identity(request: HttpRequest, event: Event) -> str:
    """A signed-in delegate is limited as themselves; anyone else by address
    (a venue's Wi-Fi shows all its delegates under one)."""
    participant = signed_in_participant(request, event)
    if participant is not None:
        return f"participant:{participant.pk}"
    return client_address(request)


def sign_in(request: HttpRequest, event: str) -> HttpResponse:
    found = event_get(slug=event)
    next_path = _safe_next(
        request, request.GET.get("next", "") or request.POST.get("next", ""), ""
    )
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limiter().hit(SIGN_IN_CLIENT_LIMIT, _client_identity(request, found))
        email = form.cleaned_data["email"]
        try:
            magic_link_request(event=found, email=email, next_path=next_path)
        except TooManyRequests as error:
            response = render(
                request,
                "site/sign_in_sent.html",
                {"event": found, "email": email, "sent_before": error.message},
                status=429,
            )
            response["Retry-After"] = str(error.retry_after)
            return response
        return render(
            request, "site/sign_in_sent.html", {"event": found, "email": email}
        )
    return render(
        request,
        "site/sign_in.html",
        {"event": found, "form": form, "next": next_path},
    )


def sign_in_link(request: HttpRequest, event: str, token: str) -> HttpResponse:
    """GET shows a button, POST signs in: mail scanners that follow links must not
    spend them."""
    found = event_get(slug=event)
    programme_url = reverse("programme", kwargs={"event": found.slug})
    next_path = _safe_next(request, request.GET.get("next", ""), programme_url)
    if request.method != "POST":
        return render(
            request,
            "site/sign_in_confirm.html",
            {"event": found, "next": next_path},
        )
    participant = magic_link_consume(event=found, raw_token=token)
    if participant is None:
        return render(
            request, "site/sign_in_invalid.html", {"event": found}, status=400
        )
    participant_sign_in(request, participant)
    response = redirect(
        _safe_next(request, request.POST.get("next", ""), programme_url)
    )
    # Their saved language now answers for this browser wherever a URL does
    # not name one (the root, links without a prefix), before Accept-Language.
    remember_language(response, participant.language)
    return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which keeps the page; a signed-in delegate's
    choice is also saved as their preference (their email follows it)."""
    # Django translates the page's address only if it resolves in the active
    # language, and this request has no prefix: take the page's own.
    page_language = get_language_from_path(request.POST.get("next", ""))
    if page_language:
        translation.activate(page_language)
    response = django_set_language(request)
    chosen = request.POST.get("language", "")
    if request.method == "POST" and chosen in dict(settings.LANGUAGES):
        participant_set_language(request, chosen)
    return response


def remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )


@require_POST
def sign_out(request: HttpRequest, event: str) -> HttpResponse:
    found = event_get(slug=event)
    request.session.flush()
    return redirect("programme", event=found.slug)
