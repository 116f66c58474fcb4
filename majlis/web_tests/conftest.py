"""A real Chromium (Debian's, never a downloaded one) for the browser tests."""

import gzip
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)

from majlis.accounts.models import Participant
from majlis.site.signin import SESSION_KEY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread while the
    # browser lives; Django's ORM calls from the tests (and their database
    # teardown) are still ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


# Reported to the console by every page, for PolicyWatch to read.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""
# What Chromium says in the console when a page breaks its policies.
POLICY_COMPLAINTS = ("Content Security Policy", "CSP violation", "Permissions-Policy")


@dataclass
class PolicyWatch:
    """What every page of the browser tests did against the site's policies:
    each document without a Content-Security-Policy header, and each violation
    Chromium reported (its console message, or the page's
    ``securitypolicyviolation`` event)."""

    problems: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if any(words in message.text for words in POLICY_COMPLAINTS):
            self.problems.append(f"{message.page and message.page.url}: {message.text}")

    def _response(self, response: Response) -> None:
        if response.request.resource_type != "document":
            return
        self.documents.append(response.url)
        if "content-security-policy" not in response.headers:
            self.problems.append(f"{response.url}: no Content-Security-Policy header")


ONE_TIME_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def is_document(html: str) -> bool:
    """A whole page, not a fragment for htmx to swap in."""
    return html.lstrip()[:15].lower() == "<!doctype html>"


@dataclass
class ServedHtml:
    """The HTML the live server sent the browser tests, each version of each
    page once, for test_valid_html.py to check all at once: each page, and
    each fragment htmx swaps in (checked inside a minimal page). Taken as
    Django answers, not read back from Chromium, which forgets a page's HTML
    once the test has moved on to the next."""

    pages: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    browser_tests: int = 0
    _seen: set[str] = field(default_factory=set)

    def record(self, request: HttpRequest, response: HttpResponseBase) -> None:
        if (
            not isinstance(response, HttpResponse)
            or 300 <= response.status_code < 400
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return
        content = response.content
        if response.get("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        html = content.decode(response.charset)
        # The same page again, but for its one-time tokens, is not kept twice.
        sameness = hashlib.sha256(ONE_TIME_TOKEN.sub("", html).encode()).hexdigest()
        if sameness in self._seen:
            return
        self._seen.add(sameness)
        language, status = response.get("Content-Language", ""), response.status_code
        key = f"{request.method} {request.get_full_path()} ({language}, {status})"
        found = self.pages if is_document(html) else self.fragments
        found[key if key not in found else f"{key} #{len(found)}"] = html


@pytest.fixture(scope="session")
def served_html() -> Iterator[ServedHtml]:
    served = ServedHtml()
    answer = BaseHandler.get_response

    def get_response_recorded(
        handler: BaseHandler, request: HttpRequest
    ) -> HttpResponseBase:
        response = answer(handler, request)
        # The live server answers in threads of its own; the test client (in
        # the tests' thread) is not the browser.
        if threading.current_thread() is not threading.main_thread():
            served.record(request, response)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseHandler, "get_response", get_response_recorded)
        yield served


class WatchedBrowser:
    """Chromium whose every new context is watched by a PolicyWatch."""

    def __init__(self, browser: Browser, watch: PolicyWatch) -> None:
        self._browser, self._watch = browser, watch

    def new_context(self, **options: Any) -> BrowserContext:
        context = self._browser.new_context(**options)
        self._watch.watch(context)
        return context

    def new_page(self, **options: Any) -> Page:
        return self.new_context(**options).new_page()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def policy_watch() -> Iterator[PolicyWatch]:
    watch = PolicyWatch()
    yield watch
    assert watch.problems == [], "\n".join(watch.problems)


@pytest.fixture
def browser(
    chromium: Browser, policy_watch: PolicyWatch, served_html: ServedHtml
) -> Browser:
    """Every browser test checks, on every page it visits, that the page came
    with a Content-Security-Policy and that Chromium reported no violation of
    it (nor of the Permissions-Policy); test_valid_html.py checks their HTML."""
    served_html.browser_tests += 1
    return cast(Browser, WatchedBrowser(chromium, policy_watch))


def sign_in(context: BrowserContext, base_url: str, participant: Participant) -> None:
    """Give the browser the session cookie of a signed-in delegate."""
    store = SessionStore()
    store[SESSION_KEY] = participant.pk
    store.save()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": store.session_key or "",
                "url": base_url,
            }
        ]
    )


def keep_screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The HTML check (test_valid_html.py) runs after the browser tests, whose
    pages it checks, whatever order the others run in."""
    checks = [item for item in items if item.path.name == "test_valid_html.py"]
    if checks:
        items[:] = [item for item in items if item not in checks] + checks
