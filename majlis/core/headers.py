"""The headers that tell browsers and caches what they may do with an answer.

- ``Permissions-Policy``: every powerful feature off, except what a page
  needs (the door's camera, for scanning QR codes, from this site only):
  ``MAJLIS_PERMISSIONS_POLICY`` and ``MAJLIS_PERMISSIONS_POLICY_VIEWS``.
- ``Cache-Control: private, no-store`` on every answer that may carry
  personal data, so that no shared cache, proxy or browser history keeps it:
  the back office and the admin, any page of a signed-in delegate or staff
  member (their session was read), and any API request with credentials.
  The public programme keeps its own short, shared caching.

The Content-Security-Policy is Django's (``SECURE_CSP`` in settings).
"""

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from majlis.core.middleware import API_PATH_PREFIX

PRIVATE = "private, no-store"


def permissions_policy(features: Mapping[str, Sequence[str]]) -> str:
    """``camera=(self), geolocation=()``: each feature and where it is allowed."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in features.items()
    )


def is_personal(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith(API_PATH_PREFIX):
        # A delegate's token or an integration's key: /me/..., bookings,
        # delegates, rosters. The public programme is asked without one.
        return "HTTP_AUTHORIZATION" in request.META
    if any(part in path for part in settings.MAJLIS_PRIVATE_PATHS):
        return True
    # A page that read a session holding someone (a signed-in delegate or
    # staff member) may show what is theirs; reading it does not load it again.
    session = getattr(request, "session", None)
    return bool(session is not None and session.accessed and not session.is_empty())


class PrivacyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default_policy = permissions_policy(settings.MAJLIS_PERMISSIONS_POLICY)
        self.policy_of_view = {
            view: permissions_policy({**settings.MAJLIS_PERMISSIONS_POLICY, **extra})
            for view, extra in settings.MAJLIS_PERMISSIONS_POLICY_VIEWS.items()
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match is not None else ""
        response.headers.setdefault(
            "Permissions-Policy", self.policy_of_view.get(view, self.default_policy)
        )
        if is_personal(request):
            response["Cache-Control"] = PRIVATE
            response.headers.pop("Expires", None)
        return response
