"""A delegate's optional gender through the API: an enum in the schema, kept
when a PUT leaves it out, changed by PATCH, refused when not a code."""

import pytest

from majlis.accounts.models import Participant

from .helpers import API, error_of

pytestmark = pytest.mark.django_db
FULL = {
    "name": "Amina Benali",
    "organisation": "Ministry of Labour",
    "constituency": "government",
    "country": "MA",
    "language": "fr",
}


def send(client, method, event, data, headers):
    return getattr(client, method)(
        f"{API}/events/{event.slug}/participants/amina@example.org",
        data=data,
        content_type="application/json",
        headers=headers,
    )


def test_put_and_patch_set_the_gender_and_a_put_without_it_keeps_it(
    client, event, as_integration
):
    created = send(client, "put", event, {**FULL, "gender": "female"}, as_integration)
    assert created.status_code == 201, created.content
    assert created.json()["gender"] == "female"
    again = send(client, "put", event, {**FULL, "name": "Amina B."}, as_integration)
    assert again.json()["gender"] == "female"
    patched = send(client, "patch", event, {"gender": "another"}, as_integration)
    assert patched.json()["gender"] == "another"
    cleared = send(client, "patch", event, {"gender": ""}, as_integration)
    assert cleared.json()["gender"] == ""
    assert Participant.objects.get(event=event).gender == ""


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("gender", ["f", None, 1])
def test_a_gender_that_is_not_a_code_is_invalid_and_changes_nothing(
    client, event, as_integration, method, gender
):
    send(client, "put", event, {**FULL, "gender": "male"}, as_integration)
    body = {**FULL, "gender": gender} if method == "put" else {"gender": gender}
    error = error_of(send(client, method, event, body, as_integration), 400)
    assert error["code"] == "invalid"
    assert Participant.objects.get(event=event).gender == "male"


def test_the_gender_is_an_enum_in_the_openapi_schema(client):
    schemas = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert schemas["Gender"]["enum"] == ["", "female", "male", "another"]
    assert "gender" not in schemas["ParticipantIn"].get("required", [])
    assert "gender" in schemas["ParticipantOut"]["required"]
