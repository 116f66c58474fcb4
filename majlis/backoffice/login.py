"""Staff sign-in (the back office's and the Django admin's) under rate limits
that an attacker cannot turn against the staff member for long.

Three limits count each try before the password is checked, so that tries
sent at once cannot slip past them (docs/SECURITY.md, "Rate limits"):

- per account and place (``MAJLIS_LIMIT_STAFF_LOGIN``, 5 in 15 minutes):
  the place is the browser when it carries this account's known-browser
  cookie, else the client's address. Past it that place is locked out of that
  account: the attacker's address, never the staff member's other places. A
  success clears it.
- per address, from browsers not known for the account
  (``MAJLIS_LIMIT_STAFF_LOGIN_ADDRESS``): one address trying many accounts.
- per account, from browsers not known for it
  (``MAJLIS_LIMIT_STAFF_LOGIN_ACCOUNT``): many addresses guessing one
  account's password slow each other down; a browser where the staff member
  signed in before is not held by it.

A success gives the browser a signed cookie naming the accounts signed in
there (``majlis_staff_device``), and takes its try back from the last two
limits: it was no guess.
"""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import ngettext

from majlis.core.ratelimit import Hit, Limit, client_address, limiter

STAFF_LOGIN_LIMIT = Limit("staff_login", "MAJLIS_LIMIT_STAFF_LOGIN")
STAFF_LOGIN_ADDRESS_LIMIT = Limit(
    "staff_login_address", "MAJLIS_LIMIT_STAFF_LOGIN_ADDRESS"
)
STAFF_LOGIN_ACCOUNT_LIMIT = Limit(
    "staff_login_account", "MAJLIS_LIMIT_STAFF_LOGIN_ACCOUNT"
)

DEVICE_COOKIE = "majlis_staff_device"
_DEVICE_SALT = "majlis.backoffice.known-browser"
_DEVICE_DAYS = 180
_DEVICE_ACCOUNTS = 5


def _too_many_tries(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Too many sign-in attempts for this account from here: please try "
            "again in %(count)d second.",
            "Too many sign-in attempts for this account from here: please try "
            "again in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext(
        "Too many sign-in attempts for this account from here: please try "
        "again in %(count)d minute.",
        "Too many sign-in attempts for this account from here: please try "
        "again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _known_browser(request: HttpRequest) -> dict[str, Any] | None:
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), list):
        return None
    return value


def _remember_browser(
    request: HttpRequest,
    response: HttpResponseBase,
    username: str,
    known: dict[str, Any] | None,
) -> None:
    device = known["d"] if known else secrets.token_urlsafe(16)
    accounts = [username] + [u for u in (known or {}).get("u", []) if u != username]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(
            {"d": device, "u": accounts[:_DEVICE_ACCOUNTS]}, salt=_DEVICE_SALT
        ),
        max_age=_DEVICE_DAYS * 86400,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )


def staff_login_guard(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Put a staff login view (Django's, the admin's) under the limits above;
    a try past one raises ``TooManyRequests`` (the 429 page)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        username = request.POST.get("username", "").strip().lower()[:150]
        address = client_address(request)
        known = _known_browser(request)
        if known is not None and username in known["u"]:
            place = f"browser:{known['d']}"
            tries = [(STAFF_LOGIN_LIMIT, f"{username}|{place}", _too_many_tries)]
        else:
            place = address
            tries = [
                (STAFF_LOGIN_LIMIT, f"{username}|{place}", _too_many_tries),
                (STAFF_LOGIN_ADDRESS_LIMIT, address, _too_many_tries),
                (STAFF_LOGIN_ACCOUNT_LIMIT, username, _too_many_tries),
            ]
        counted = limiter().hit_all(tries)
        response = view(request, *args, **kwargs)
        if response.status_code == 302 and request.user.is_authenticated:
            limiter().clear(STAFF_LOGIN_LIMIT, f"{username}|{place}")
            limiter().refund(_not_of(counted, STAFF_LOGIN_LIMIT))
            _remember_browser(request, response, username, known)
        return response

    return wrapper


def _not_of(hits: list[Hit], limit: Limit) -> list[Hit]:
    return [hit for hit in hits if hit.limit != limit]
