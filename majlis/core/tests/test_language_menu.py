"""The language menu names each language in its own name, on every page and
in every language, marked with its language for screen readers."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info

from majlis.testing.factories import EventFactory

pytestmark = pytest.mark.django_db


class MenuOptions(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.current: dict[str, str | None] | None = None
        self.options: list[tuple[dict[str, str | None], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select" and ("id", "language-select") in attrs:
            self.inside = True
        elif tag == "option" and self.inside:
            self.current = dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.current is not None and data.strip():
            self.options.append((self.current, data.strip()))
            self.current = None


def autonym(code: str) -> str:
    """The language's own name, from Django's table of languages."""
    name = get_language_info(code)["name_local"]
    return name[0].upper() + name[1:]


@pytest.mark.parametrize("page_language", [code for code, _ in settings.LANGUAGES])
def test_every_language_is_named_in_its_own_language(client, page_language):
    event = EventFactory()
    with translation.override(page_language):
        path = reverse("programme", kwargs={"event": event.slug})
    menu = MenuOptions()
    menu.feed(client.get(path).content.decode())

    assert [(attrs["value"], name) for attrs, name in menu.options] == [
        (code, autonym(code)) for code, _ in settings.LANGUAGES
    ]
    for attrs, _name in menu.options:
        assert attrs["lang"] == attrs["value"]
        assert attrs["dir"] == ("rtl" if attrs["value"] == "ar" else "ltr")
    english = next(name for attrs, name in menu.options if attrs["value"] == "en")
    assert english == "English"
