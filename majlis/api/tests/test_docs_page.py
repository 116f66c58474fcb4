"""The API reference at /api/v1/docs is served whole from this site."""

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from .helpers import API

pytestmark = pytest.mark.django_db


class References(HTMLParser):
    """Every address the page would load or link to, and its inline data."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href", "action", "srcset", "data", "poster"} and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def test_the_docs_page_loads_nothing_from_another_origin(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = References()
    page.feed(response.content.decode())

    assert page.urls, "the page references its scripts and styles"
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert url.startswith(static("")), url
        assert finders.find(url.removeprefix(static(""))), f"{url} is not served"
    scripts = [u for u in page.urls if u.endswith(".js")]
    assert any("swagger-ui-bundle" in u for u in scripts), scripts

    # The settings the page hands to Swagger UI: the document from this site,
    # and no validator badge (an image from validator.swagger.io).
    settings = json.loads(next(d for d in page.data if '"url"' in d and "openapi" in d))
    assert settings["url"] == f"{API}/openapi.json"
    assert settings["validatorUrl"] is None
