"""A real Chromium (Debian's, never a downloaded one) for the browser tests."""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
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
def browser(chromium: Browser, policy_watch: PolicyWatch) -> Browser:
    """Every browser test checks, on every page it visits, that the page came
    with a Content-Security-Policy and that Chromium reported no violation of
    it (nor of the Permissions-Policy)."""
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
