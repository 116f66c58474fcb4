"""Each page says what it is in a meta description, in the reader's language:
the programme names its event, a session page gives the start of its own
description, and other pages the site's."""

import html
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from majlis.testing.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def description_of(client, path: str) -> str:
    page = client.get(path).content.decode()
    (found,) = DESCRIPTION.findall(page)
    return html.unescape(found)


@pytest.fixture
def event():
    return EventFactory(
        slug="casa", name_en="Casablanca Forum", name_ar="منتدى الدار البيضاء"
    )


def test_the_programme_names_its_event_in_the_readers_language(client, event):
    english = description_of(client, "/en/e/casa/")
    arabic = description_of(client, "/ar/e/casa/")

    assert english.startswith("The programme of Casablanca Forum")
    assert "منتدى الدار البيضاء" in arabic
    assert "programme" not in arabic


def test_a_session_page_gives_the_start_of_its_own_description(client, event):
    SessionFactory(
        event=event,
        code="long",
        description_en="Targets for 2030. " * 40,
        description_ar="أهداف عام 2030. " * 40,
    )
    SessionFactory(event=event, code="bare", title_en="Green jobs", description_en="")

    english = description_of(client, "/en/e/casa/s/long/")
    arabic = description_of(client, "/ar/e/casa/s/long/")
    bare = description_of(client, "/en/e/casa/s/bare/")

    assert english.startswith("Targets for 2030. Targets for 2030.")
    assert len(english) <= 160 and english.endswith("…")
    assert arabic.startswith("أهداف عام 2030.") and len(arabic) <= 160
    assert bare.startswith("Green jobs: a session of Casablanca Forum")


def test_other_pages_give_the_sites_description(client, event):
    site = "Majlis: booking for conference sessions."
    with translation.override("ar"):
        in_arabic = gettext(site)

    assert description_of(client, "/en/e/casa/sign-in/") == site
    assert description_of(client, "/ar/backoffice/login/") == in_arabic != site
