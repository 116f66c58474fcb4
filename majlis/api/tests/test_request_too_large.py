"""A request over the size limit: Django's own (DATA_UPLOAD_MAX_MEMORY_SIZE)
or the reverse proxy's, which hands its refusal to the addresses below
(deploy/nginx.conf; through nginx: majlis/server/tests/test_nginx.py)."""

import json

import pytest
from django.conf import settings
from django.utils import translation

from majlis.core.exceptions import RequestTooLarge

from .helpers import API, error_of

pytestmark = pytest.mark.django_db
OVER_THE_LIMIT = b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_an_api_body_over_djangos_limit_answers_the_error_shape(client):
    answer = client.post(
        f"{API}/auth/magic-link?lang=fr",
        data=b'{"event": "x", "email": "a@example.org"}' + OVER_THE_LIMIT,
        content_type="application/json",
    )

    with translation.override("fr"):
        assert error_of(answer, 413) == {
            "code": "too_large",
            "message": str(RequestTooLarge.default_message),
        }


def test_the_proxys_refusal_of_an_api_request_answers_the_error_shape(client):
    answer = client.get(f"{API}/request-too-large", headers={"Accept-Language": "ar"})

    with translation.override("ar"):
        assert error_of(answer, 413)["message"] == str(RequestTooLarge.default_message)
    assert answer.headers["Content-Type"].startswith("application/json")
    json.loads(answer.content)


def test_a_form_over_djangos_limit_answers_a_page_in_the_readers_language(client):
    answer = client.post(
        "/ar/backoffice/login/",
        data=OVER_THE_LIMIT,
        content_type="application/x-www-form-urlencoded",
    )

    page = answer.content.decode()
    assert answer.status_code == 413
    assert '<html lang="ar" dir="rtl">' in page
    with translation.override("ar"):
        assert translation.gettext("What you sent is too large.") in page
    assert 'href="/ar/backoffice/"' in page  # the page above the form


def test_the_proxys_refusal_of_a_page_leads_back_to_the_page_it_came_from(client):
    came_from = "http://testserver/fr/backoffice/casa/import/"
    answer = client.get("/fr/request-too-large/", headers={"Referer": came_from})
    elsewhere = client.get(
        "/fr/request-too-large/", headers={"Referer": "https://evil.example/"}
    )

    assert answer.status_code == elsewhere.status_code == 413
    assert f'href="{came_from}"' in answer.content.decode()
    assert 'href="/fr/"' in elsewhere.content.decode()
