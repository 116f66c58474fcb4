"""Delegates through the API: registration by an integration, tokens, sign-in links."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from majlis.accounts.models import ApiKey, Participant, ParticipantToken, hash_secret
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory, ParticipantFactory

from .helpers import API, bearer, error_of, unique

pytestmark = pytest.mark.django_db

FULL = {
    "name": "Amina Benali",
    "organisation": "Ministry of Labour",
    "constituency": "government",
    "country": "MA",
    "language": "fr",
}


def put(client, event, email, data, headers):
    return client.put(
        f"{API}/events/{event.slug}/participants/{email}",
        data=data,
        content_type="application/json",
        headers=headers,
    )


def snapshot(event) -> list[tuple]:
    return list(
        Participant.objects.filter(event=event)
        .order_by("pk")
        .values_list(
            "email", "name", "organisation", "constituency", "country", "language"
        )
    )


def test_put_creates_a_delegate_with_201(client, event, as_integration):
    response = put(client, event, "amina@example.org", FULL, as_integration)
    assert response.status_code == 201, response.content
    body = response.json()
    created = Participant.objects.get(event=event)
    assert body == {
        "email": "amina@example.org",
        **FULL,
        "gender": "",
        "checkin_code": created.checkin_code,
    }
    assert snapshot(event) == [
        (
            "amina@example.org",
            "Amina Benali",
            "Ministry of Labour",
            "government",
            "MA",
            "fr",
        )
    ]


def test_put_again_updates_the_delegate_with_200(client, event, as_integration):
    assert (
        put(client, event, "amina@example.org", FULL, as_integration).status_code == 201
    )
    changed = {**FULL, "name": "Amina B.", "constituency": "workers", "country": "tn"}
    response = put(client, event, "amina@example.org", changed, as_integration)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Amina B."
    assert response.json()["country"] == "TN"
    assert snapshot(event) == [
        ("amina@example.org", "Amina B.", "Ministry of Labour", "workers", "TN", "fr")
    ]


def test_put_finds_the_delegate_whatever_the_case_of_the_email(
    client, event, as_integration
):
    ParticipantFactory(event=event, email="delegate@x.org", name="Old name")
    response = put(client, event, "DELEGATE@X.org", FULL, as_integration)
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "delegate@x.org"
    assert Participant.objects.filter(event=event).count() == 1
    assert Participant.objects.get(event=event).name == FULL["name"]


def test_the_same_email_in_another_event_is_another_delegate(
    client, event, other_event, as_integration
):
    elsewhere = ParticipantFactory(
        event=other_event, email="amina@example.org", name="Elsewhere"
    )
    response = put(client, event, "amina@example.org", FULL, as_integration)
    assert response.status_code == 201, response.content
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Elsewhere"


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("country", "ZZ"),
        ("country", "Morocco"),
        ("constituency", "pirates"),
        ("language", "de"),
    ],
)
def test_a_bad_field_is_invalid_and_changes_nothing(
    client, event, as_integration, field, bad
):
    existing = ParticipantFactory(event=event, email="known@example.org")
    before = snapshot(event)

    for email in ("known@example.org", "new@example.org"):
        response = put(client, event, email, {**FULL, field: bad}, as_integration)
        error = error_of(response, 400)
        assert error["code"] == "invalid"
        assert field in error["message"]
        assert snapshot(event) == before

    assert put(client, event, existing.email, FULL, as_integration).status_code == 200
    assert (
        put(client, event, "new@example.org", FULL, as_integration).status_code == 201
    )
    assert snapshot(event) != before


@pytest.mark.parametrize(
    "data",
    [{}, {"name": ""}, {"name": 5}, {**FULL, "country": None}],
    ids=["no-name", "empty-name", "number-name", "null-country"],
)
def test_a_malformed_body_is_invalid(client, event, as_integration, data):
    error = error_of(put(client, event, "a@example.org", data, as_integration), 400)
    assert error["code"] == "invalid"
    assert not Participant.objects.filter(event=event).exists()
    assert put(client, event, "a@example.org", FULL, as_integration).status_code == 201


def test_a_bad_email_in_the_path_is_invalid(client, event, as_integration):
    error = error_of(put(client, event, "not-an-email", FULL, as_integration), 400)
    assert error["code"] == "invalid"
    assert not Participant.objects.filter(event=event).exists()


def test_put_for_an_unknown_event_is_not_found(client, as_integration):
    event = EventFactory.build(slug=unique("no-such-event"))
    error = error_of(put(client, event, "a@example.org", FULL, as_integration), 404)
    assert error["code"] == "not_found"


def test_put_needs_an_integrations_key(client, event, delegate, as_delegate, api_key):
    before = snapshot(event)
    refused = put(client, event, delegate.email, FULL, as_delegate)
    assert error_of(refused, 403)["code"] == "forbidden"
    for headers in ({}, bearer("mjk_not-a-key"), bearer(api_key + "x")):
        anonymous = put(client, event, delegate.email, FULL, headers)
        assert error_of(anonymous, 401)["code"] == "unauthenticated"
    assert snapshot(event) == before
    assert put(client, event, delegate.email, FULL, bearer(api_key)).status_code == 200


def test_a_revoked_api_key_is_unauthenticated(client, event, api_key):
    assert put(client, event, "a@example.org", FULL, bearer(api_key)).status_code == 201
    ApiKey.objects.filter(key_hash=hash_secret(api_key)).update(
        revoked_at=timezone.now()
    )
    error = error_of(put(client, event, "a@example.org", FULL, bearer(api_key)), 401)
    assert error["code"] == "unauthenticated"


def token_url(event, email) -> str:
    return f"{API}/events/{event.slug}/participants/{email}/token"


def test_an_issued_token_works_on_my_bookings(client, event, delegate, as_integration):
    assert error_of(client.get(f"{API}/me/bookings"), 401)["code"] == "unauthenticated"
    response = client.post(token_url(event, delegate.email), headers=as_integration)
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    assert token.startswith(ParticipantToken.PREFIX)
    mine = client.get(f"{API}/me/bookings", headers=bearer(token))
    assert mine.status_code == 200, mine.content
    assert mine.json() == {"bookings": []}


def test_a_token_is_issued_whatever_the_case_of_the_email(
    client, event, delegate, as_integration
):
    response = client.post(
        token_url(event, delegate.email.upper()), headers=as_integration
    )
    assert response.status_code == 201, response.content
    assert (
        ParticipantToken.objects.get(participant__event=event).participant == delegate
    )


def test_a_token_for_an_unknown_email_is_not_found(
    client, event, other_event, as_integration
):
    ParticipantFactory(event=other_event, email="elsewhere@example.org")
    ParticipantFactory(event=event, email="here@example.org")
    assert (
        client.post(token_url(event, "here@example.org"), headers=as_integration)
    ).status_code == 201
    for email in ("nobody@example.org", "elsewhere@example.org"):
        response = client.post(token_url(event, email), headers=as_integration)
        assert error_of(response, 404)["code"] == "not_found"
    assert ParticipantToken.objects.filter(participant__event=event).count() == 1


def test_issuing_a_token_needs_an_integrations_key(
    client, event, delegate, as_delegate, as_integration
):
    refused = client.post(token_url(event, delegate.email), headers=as_delegate)
    assert error_of(refused, 403)["code"] == "forbidden"
    anonymous = client.post(token_url(event, delegate.email))
    assert error_of(anonymous, 401)["code"] == "unauthenticated"
    issued = client.post(token_url(event, delegate.email), headers=as_integration)
    assert issued.status_code == 201


def test_a_revoked_token_is_unauthenticated(client, event, delegate, as_integration):
    token = client.post(
        token_url(event, delegate.email), headers=as_integration
    ).json()["token"]
    assert client.get(f"{API}/me/bookings", headers=bearer(token)).status_code == 200
    ParticipantToken.objects.filter(participant=delegate).update(
        revoked_at=timezone.now()
    )
    response = client.get(f"{API}/me/bookings", headers=bearer(token))
    assert error_of(response, 401)["code"] == "unauthenticated"


def magic_link(client, event_slug: str, email: str):
    return client.post(
        f"{API}/auth/magic-link",
        data={"event": event_slug, "email": email},
        content_type="application/json",
    )


def address(name: str) -> str:
    return f"{unique(name)}@example.org"


def magic_links_to(*emails: str):
    return OutboxMessage.objects.filter(kind="magic_link", to_email__in=emails)


def test_a_magic_link_is_sent_only_to_a_registered_address_with_the_same_202(
    client, event, other_event
):
    registered = ParticipantFactory(event=event, email=address("amina"))
    elsewhere = ParticipantFactory(event=other_event, email=address("omar"))
    stranger = address("stranger")
    answers = [
        magic_link(client, event.slug, registered.email.upper()),
        magic_link(client, event.slug, stranger),
        magic_link(client, event.slug, elsewhere.email),
        magic_link(client, unique("no-such-event"), registered.email),
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 202]
    assert all(a.json() == answers[0].json() for a in answers)
    sent = magic_links_to(registered.email, elsewhere.email, stranger)
    assert list(sent.values_list("to_email", flat=True)) == [registered.email]


def test_a_magic_link_request_without_its_fields_is_invalid(client, event):
    registered = ParticipantFactory(event=event, email=address("amina"))
    for data in ({"event": event.slug}, {"email": registered.email}, {}):
        response = client.post(
            f"{API}/auth/magic-link", data=data, content_type="application/json"
        )
        assert error_of(response, 400)["code"] == "invalid"
    assert not magic_links_to(registered.email).exists()
    assert magic_link(client, event.slug, registered.email).status_code == 202
    assert magic_links_to(registered.email).count() == 1


def patch(client, event, email, data, headers):
    return client.patch(
        f"{API}/events/{event.slug}/participants/{email}",
        data=data,
        content_type="application/json",
        headers=headers,
    )


def test_put_with_only_a_name_is_refused_and_resets_nothing(
    client, event, as_integration
):
    """A PUT replaces every field: one left out used to be reset to its default
    (an Arabic speaker's email switched to English)."""
    assert put(client, event, "a@example.org", FULL, as_integration).status_code == 201
    before = snapshot(event)
    error = error_of(
        put(client, event, "a@example.org", {"name": "Amina"}, as_integration), 400
    )
    assert error["code"] == "invalid"
    missing = {"organisation", "constituency", "country", "language"}
    assert set(error["details"]["fields"]) == missing
    for field in missing:
        assert error["details"]["fields"][field][0]["code"] == "missing"
    assert snapshot(event) == before


def test_patch_changes_only_the_fields_it_sends(client, event, as_integration):
    assert put(client, event, "a@example.org", FULL, as_integration).status_code == 201
    response = patch(
        client, event, "A@example.org", {"name": "Amina B."}, as_integration
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Amina B."
    assert snapshot(event) == [
        ("a@example.org", "Amina B.", "Ministry of Labour", "government", "MA", "fr")
    ]
    response = patch(
        client,
        event,
        "a@example.org",
        {"language": "ar", "country": "tn", "organisation": ""},
        as_integration,
    )
    assert response.status_code == 200, response.content
    assert snapshot(event) == [
        ("a@example.org", "Amina B.", "", "government", "TN", "ar")
    ]


@pytest.mark.parametrize(
    "data",
    [{"language": "de"}, {"country": "ZZ"}, {"name": ""}, {"name": None}, [1]],
    ids=["language", "country", "empty-name", "null-name", "not-an-object"],
)
def test_a_bad_patch_is_invalid_and_changes_nothing(
    client, event, as_integration, data
):
    assert put(client, event, "a@example.org", FULL, as_integration).status_code == 201
    before = snapshot(event)
    error = error_of(patch(client, event, "a@example.org", data, as_integration), 400)
    assert error["code"] == "invalid"
    assert snapshot(event) == before


def test_patch_of_an_unknown_delegate_is_not_found(client, event, as_integration):
    response = patch(client, event, "nobody@example.org", {"name": "X"}, as_integration)
    assert error_of(response, 404)["code"] == "not_found"
    assert not Participant.objects.filter(event=event).exists()


def test_patch_needs_an_integrations_key_of_the_event(
    client, event, delegate, as_delegate
):
    before = snapshot(event)
    refused = patch(client, event, delegate.email, {"name": "X"}, as_delegate)
    assert error_of(refused, 403)["code"] == "forbidden"
    anonymous = patch(client, event, delegate.email, {"name": "X"}, {})
    assert error_of(anonymous, 401)["code"] == "unauthenticated"
    assert snapshot(event) == before


def test_a_refused_country_is_said_whole_in_the_request_language(
    client, event, as_integration
):
    response = put(
        client,
        event,
        "a@example.org?lang=ar",
        {**FULL, "country": "ZZ"},
        as_integration,
    )
    error = error_of(response, 400)
    with translation.override("ar"):
        reason = _(
            "%(code)s is not an ISO 3166-1 alpha-2 country code, such as MA."
        ) % {"code": "ZZ"}
        expected = _("“%(field)s”: %(error)s") % {
            "field": _("country"),
            "error": reason,
        }
    assert error["message"] == expected
    assert "country" not in error["message"]
    assert error["details"]["fields"]["country"][0]["message"] == reason
