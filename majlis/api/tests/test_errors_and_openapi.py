"""The error shape and language across the API, and its OpenAPI description."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from majlis.accounts.models import Constituency, Language
from majlis.core.exceptions import NotFound, Unauthenticated
from majlis.testing.factories import SessionFactory

from .helpers import API, error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ("", {}, "en"),
        ("?lang=fr", {}, "fr"),
        ("", {"Accept-Language": "fr"}, "fr"),
        ("?lang=ar", {"Accept-Language": "fr"}, "ar"),
    ],
)
def test_error_messages_are_rendered_in_the_request_language(
    client, event, query, headers, language
):
    """The message is whatever the catalogue of the request's language says (the
    catalogues themselves are another issue), and the texts follow the same language."""
    SessionFactory(event=event, code="s")
    missing = client.get(f"{API}/events/no-such-event/sessions{query}", headers=headers)
    anonymous = client.get(f"{API}/me/bookings{query}", headers=headers)
    with translation.override(language):
        assert error_of(missing, 404)["message"] == str(NotFound.default_message)
        assert error_of(anonymous, 401)["message"] == str(
            Unauthenticated.default_message
        )
    listed = client.get(f"{API}/events/{event.slug}/sessions{query}", headers=headers)
    title = listed.json()["sessions"][0]["title"]
    assert title == getattr(event.sessions.get(), f"title_{language}")


def test_validation_messages_change_with_the_request_language(
    client, event, as_integration
):
    """Field errors name the allowed values, in the request's language."""

    def bad_language(query: str) -> str:
        response = client.put(
            f"{API}/events/{event.slug}/participants/a@example.org{query}",
            data={
                "name": "A",
                "organisation": "",
                "constituency": "other",
                "country": "",
                "language": "de",
            },
            content_type="application/json",
            headers=as_integration,
        )
        error = error_of(response, 400)
        assert error["code"] == "invalid"
        return error["message"]

    english, french = bad_language("?lang=en"), bad_language("?lang=fr")
    assert "en, fr, es, ar" in english and "en, fr, es, ar" in french
    assert english != french


def test_an_unknown_api_path_answers_with_the_error_shape(client):
    response = client.get(f"{API}/no-such-endpoint")
    assert error_of(response, 404)["code"] == "not_found"


def test_a_method_not_allowed_answers_with_the_error_shape(client, as_delegate):
    response = client.get(f"{API}/bookings/1", headers=as_delegate)
    error_of(response, 405)


def test_a_booking_id_that_is_not_a_number_is_invalid(client, as_delegate):
    response = client.delete(f"{API}/bookings/abc", headers=as_delegate)
    assert error_of(response, 400)["code"] == "invalid"


EXPECTED_OPERATIONS = {
    ("get", "/api/v1/events/{event}/sessions"),
    ("get", "/api/v1/events/{event}/sessions/{code}"),
    ("put", "/api/v1/events/{event}/participants/{email}"),
    ("patch", "/api/v1/events/{event}/participants/{email}"),
    ("post", "/api/v1/events/{event}/participants/{email}/token"),
    ("post", "/api/v1/auth/magic-link"),
    ("get", "/api/v1/me/bookings"),
    ("post", "/api/v1/events/{event}/sessions/{code}/bookings"),
    ("delete", "/api/v1/bookings/{booking_id}"),
    ("get", "/api/v1/events/{event}/sessions/{code}/roster"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def refs_in(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_in(item)


def resolve(document: dict, ref: str) -> object:
    assert ref.startswith("#/"), ref
    node: object = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_the_openapi_document_is_openapi_3_and_lists_every_operation(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    operations = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert operations >= EXPECTED_OPERATIONS, EXPECTED_OPERATIONS - operations

    for path, item in document["paths"].items():
        assert path.startswith("/"), path
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            assert operation["responses"], (method, path)
            for status in operation["responses"]:
                assert status == "default" or 100 <= int(status) <= 599
            declared = {
                p["name"] for p in operation.get("parameters", []) if p["in"] == "path"
            }
            templated = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            assert declared == templated, (method, path)

    for ref in set(refs_in(document)):
        assert isinstance(resolve(document, ref), dict)


def test_the_openapi_document_describes_the_error_shape_and_bearer_auth(client):
    document = client.get(f"{API}/openapi.json").json()
    booking = document["paths"]["/api/v1/events/{event}/sessions/{code}/bookings"]
    conflict = booking["post"]["responses"]["409"]["content"]["application/json"]
    error_schema = resolve(document, conflict["schema"]["$ref"])
    assert set(error_schema["properties"]) == {"error"}
    body = resolve(document, error_schema["properties"]["error"]["$ref"])
    assert {"code", "message"} <= set(body["required"])
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert booking["post"]["security"]


def test_the_docs_page_answers(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def schema_of(document: dict, path: str, method: str) -> dict:
    body = document["paths"][path][method]["requestBody"]["content"]
    node = body["application/json"]["schema"]
    return resolve(document, node["$ref"]) if "$ref" in node else node


def enum_of(document: dict, prop: dict) -> list[str]:
    node = resolve(document, prop["$ref"]) if "$ref" in prop else prop
    if "allOf" in node:
        return enum_of(document, node["allOf"][0])
    return node["enum"]


def test_the_openapi_document_lists_the_allowed_constituencies_and_languages(client):
    document = client.get(f"{API}/openapi.json").json()
    path = "/api/v1/events/{event}/participants/{email}"
    for method in ("put", "patch"):
        properties = schema_of(document, path, method)["properties"]
        assert enum_of(document, properties["constituency"]) == Constituency.values
        assert enum_of(document, properties["language"]) == Language.values
    put = schema_of(document, path, "put")
    assert set(put["required"]) == {
        "name",
        "organisation",
        "constituency",
        "country",
        "language",
    }
    assert not schema_of(document, path, "patch").get("required")


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_a_bad_value_is_said_whole_in_the_request_language_with_the_allowed_ones(
    client, event, as_integration, language
):
    response = client.patch(
        f"{API}/events/{event.slug}/participants/a@example.org?lang={language}",
        {"language": "de", "constituency": "pirates"},
        content_type="application/json",
        headers=as_integration,
    )
    error = error_of(response, 400)
    with translation.override(language):
        expected = [
            _("The field “%(field)s” must be one of: %(values)s.")
            % {"field": _(label), "values": ", ".join(values)}
            for label, values in (
                ("constituency", Constituency.values),
                ("preferred language", Language.values),
            )
        ]
    assert error["message"] == " ".join(expected)
    if language != "en":
        assert "must be one of" not in error["message"]
    assert "Input should" not in error["message"]
    fields = error["details"]["fields"]
    assert fields["language"][0]["allowed"] == Language.values
    assert fields["constituency"][0]["allowed"] == Constituency.values
    assert fields["language"][0]["code"] == "enum"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_a_missing_field_is_said_whole_in_the_request_language(
    client, event, as_integration, language
):
    response = client.put(
        f"{API}/events/{event.slug}/participants/a@example.org",
        {"organisation": "", "constituency": "other", "country": "", "language": "en"},
        content_type="application/json",
        headers={**as_integration, "Accept-Language": language},
    )
    error = error_of(response, 400)
    with translation.override(language):
        expected = _("The field “%(field)s” is required.") % {"field": _("name")}
    assert error["message"] == expected
    assert expected != _("The field “%(field)s” is required.") % {"field": "name"}
    assert error["details"]["fields"] == {
        "name": [{"message": expected, "code": "missing", "in": "body"}]
    }
