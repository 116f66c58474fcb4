"""The language of a page: the URL's, then the delegate's saved preference, then
the browser's Accept-Language; switching keeps the page."""

import pytest
from django.test import Client

from majlis.accounts.models import Participant
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="casa")


@pytest.fixture
def delegate(event):
    return ParticipantFactory(event=event, language="ar")


def sign_in_through_a_link(client: Client, delegate) -> None:
    from majlis.accounts.services import magic_link_request
    from majlis.outbox.models import OutboxMessage

    magic_link_request(event=delegate.event, email=delegate.email)
    token = OutboxMessage.objects.get(kind="magic_link").payload["token"]
    response = client.post(f"/ar/e/casa/sign-in/{token}/")
    assert response.status_code == 302


def test_the_browser_language_answers_when_nothing_else_does(client, event):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert response["Location"] == "/es/"


def test_the_saved_preference_comes_before_the_browser_language(client, delegate):
    sign_in_through_a_link(client, delegate)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Location"] == "/ar/"


def test_the_url_comes_before_everything(client, delegate):
    sign_in_through_a_link(client, delegate)
    page = client.get("/fr/e/casa/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="fr" dir="ltr">' in page.content.decode()


def test_switching_language_keeps_the_page_and_saves_the_preference(client, delegate):
    session = SessionFactory(event=delegate.event, code="talk")
    browser = client.session
    browser[SESSION_KEY] = delegate.pk
    browser.save()
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": f"/ar/e/casa/s/{session.code}/"}
    )
    assert response["Location"] == "/fr/e/casa/s/talk/"
    assert Participant.objects.get(pk=delegate.pk).language == "fr"


def test_switching_language_when_not_signed_in_saves_nothing(client, delegate):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/en/e/casa/"})
    assert response["Location"] == "/es/e/casa/"
    assert Participant.objects.get(pk=delegate.pk).language == "ar"
