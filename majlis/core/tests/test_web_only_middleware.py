"""Sessions, CSRF, users and messages are for web pages; the API's paths pass
them over and keep the security headers, the Host check and Content-Length."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from majlis.core.middleware import (
    WebAuthenticationMiddleware,
    WebCsrfViewMiddleware,
    WebMessageMiddleware,
    WebSessionMiddleware,
)

API_PATH = "/api/v1/health/live"
WEB_PATH = "/en/"


def seen_by_the_view(middleware_class, path: str, *, before=()) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse("ok")

    request = RequestFactory().get(path)
    for earlier in before:  # what the class needs from the middleware above it
        earlier(lambda r: HttpResponse()).process_request(request)
    middleware_class(view)(request)
    return seen[0]


@pytest.mark.parametrize(
    ("middleware_class", "attribute", "before"),
    [
        (WebSessionMiddleware, "session", ()),
        (WebAuthenticationMiddleware, "user", (WebSessionMiddleware,)),
        (WebMessageMiddleware, "_messages", (WebSessionMiddleware,)),
    ],
)
def test_web_pages_get_the_middleware_and_the_api_does_not(
    middleware_class, attribute, before
):
    assert hasattr(
        seen_by_the_view(middleware_class, WEB_PATH, before=before), attribute
    )
    assert not hasattr(seen_by_the_view(middleware_class, API_PATH), attribute)


def test_csrf_is_checked_on_web_pages_and_left_to_ninja_on_the_api():
    middleware = WebCsrfViewMiddleware(lambda request: HttpResponse())

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    web_post = RequestFactory().post(WEB_PATH)
    middleware.process_request(web_post)
    refused = middleware.process_view(web_post, view, (), {})
    assert refused is not None
    assert refused.status_code == 403

    api_post = RequestFactory().post(API_PATH)
    assert middleware.process_view(api_post, view, (), {}) is None


@pytest.mark.django_db
def test_api_answers_keep_the_security_headers_and_set_no_cookie(client):
    answer = client.get(API_PATH)

    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["Referrer-Policy"] == "same-origin"
    # Without it Granian sends the answer chunked (and the bench's client fails).
    assert answer["Content-Length"] == str(len(answer.content))
    assert not answer.cookies


@pytest.mark.django_db
def test_api_requests_with_a_foreign_host_are_refused(client, settings):
    settings.ALLOWED_HOSTS = ["majlis.example.org"]
    answer = client.get(API_PATH, headers={"host": "attacker.example"})

    assert answer.status_code == 400
