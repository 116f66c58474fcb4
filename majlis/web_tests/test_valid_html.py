"""Every page passes the Nu HTML Checker with no error: each page the browser
tests were sent (conftest.ServedHtml) and every delegate and back-office page
rendered here, in English and Arabic, checked by one run of the checker
(vnu.jar from npm, with Debian's Java: one start of the JVM for them all).
conftest.py runs this module after the browser tests."""

import gzip
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.groups.services import plan_groups, publish, set_topics
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)
from majlis.web_tests.conftest import VNU, ServedHtml, is_document

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ar"]
# A page with an error the checker must report: proof that it ran and read.
CONTROL = '<!DOCTYPE html><html lang="en"><title>Control</title><p hx-get="/">x</p>'
# A short run: the quick compiler alone (half the CPU time of both for 400
# pages), a deeper stack than its frames need, and the simplest collector.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss4m", "-XX:+UseSerialGC"]
# The URL names of the delegates' pages and the back office that answer no
# HTML page of their own, and why.
NOT_PAGES = {
    "book": "a form's target: redirects to the session page",
    "change-access-needs": "a form's target: redirects",
    "booking-calendar": "an iCalendar file",
    "my-data": "a JSON file",
    "sign-out": "a form's target: redirects",
    "backoffice:logout": "a form's target: redirects",
    "backoffice:staff-remove": "a form's target: redirects",
    "backoffice:roster-export": "CSV, XLSX and PDF files",
    "backoffice:import-template": "CSV and XLSX files",
    "backoffice:groups-move": "a form's target: redirects",
    "backoffice:groups-late": "a form's target: redirects",
    "backoffice:groups-publish": "a form's target: redirects",
    "backoffice:groups-print": "PDF files",
    "choose-topics": "a form's target: redirects",
}


@pytest.fixture
def conference():
    """An event with a free, a full and a past session; a delegate who holds
    a seat and waits for another; the secretariat, an organiser and door staff."""
    slug = f"vnu-{uuid.uuid4().hex[:8]}"
    event = EventFactory(slug=slug)
    # From two events on, the home pages list them.
    next_event = EventFactory(slug=f"{slug}-next")
    free = SessionFactory(event=event, code="free", interpretation=["fr", "ar"])
    full = SessionFactory(
        event=event,
        code="full",
        capacity=1,
        starts_at=afternoon(days_from_now=31),
        ends_at=afternoon(days_from_now=31, hour=18),
    )
    delegate = ParticipantFactory(event=event, name="Amina Benali")
    other = ParticipantFactory(event=event, name="Claire Dubois")
    booking_create(participant=other, session=full, actor=Actor.delegate())
    booking_create(
        participant=delegate,
        session=free,
        actor=Actor.delegate(),
        access_needs=["captioning"],
    )
    booking_create(participant=delegate, session=full, actor=Actor.delegate())
    # Groups: published tables in one session, topics to choose in another.
    for code, seated in (("free", True), ("topics", False)):
        grouped = (
            free
            if seated
            else SessionFactory(
                event=event,
                code=code,
                starts_at=afternoon(days_from_now=33),
                ends_at=afternoon(days_from_now=33, hour=18),
            )
        )
        if not seated:
            booking_create(
                participant=delegate, session=grouped, actor=Actor.delegate()
            )
        plan = set_topics(
            actor=None,
            session=grouped,
            topics=[{"en": "Law", "ar": "القانون"}, {"en": "Schools"}],
        )
        if seated:
            for name in ("Nadia Alaoui", "Jean Martin", "María López"):
                booking_create(
                    participant=ParticipantFactory(event=event, name=name),
                    session=grouped,
                    actor=Actor.delegate(),
                )
            plan = plan_groups(actor=None, session=grouped, kind="topics", tables=2)
            publish(actor=None, plan=plan)
    people = {}
    for role in ("secretariat", "organiser", "door"):
        user = User.objects.create_user(role, f"{role}@example.org", "a-long-phrase")
        staff_role = StaffRole.objects.create(user=user, event=event, role=role)
        if role == "secretariat":
            StaffRole.objects.create(user=user, event=next_event, role=role)
        else:
            staff_role.sessions.add(free, full)
        people[role] = (user, staff_role)
    return {"event": event, "slug": slug, "delegate": delegate, "people": people}


IMPORTED = (
    "email,name,organisation,constituency,country,language\n"
    "new@example.org,Nadia Alaoui,Ministry,government,MA,ar\n"
)
WRONG = "not-an-address,,,nobody,ZZ,xx\n"


def delegate_client(delegate) -> Client:
    client = Client()
    store = SessionStore()
    store[SESSION_KEY] = delegate.pk
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key or ""
    return client


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rendered_pages(conference, language: str) -> tuple[dict[str, str], set[str]]:
    """Every page of the delegates and of the back office, in ``language``:
    the HTML of each by its label, and the URL names it reached."""
    slug, delegate = conference["slug"], conference["delegate"]
    secretariat, _ = conference["people"]["secretariat"]
    organiser, organiser_role = conference["people"]["organiser"]
    door, _ = conference["people"]["door"]
    site = f"/{language}/e/{slug}"
    back = f"/{language}/backoffice"
    pages: dict[str, str] = {}
    reached: set[str] = set()

    def visit(client: Client, method: str, path: str, **options) -> HttpResponse:
        response = getattr(client, method)(path, **options)
        assert response.status_code in (200, 400, 403, 404, 429), path
        assert response["Content-Type"].startswith("text/html"), path
        reached.add(response.resolver_match.view_name)
        label = f"{method.upper()} {path} ({language}, {response.status_code})"
        content = response.content
        if response.get("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
            label += " gzip"
        html = content.decode()
        if is_document(html):
            pages[label] = html
        else:
            pages[f"{label} [fragment]"] = as_document(html)
        return response

    anonymous = Client()
    visit(anonymous, "get", f"/{language}/")
    visit(anonymous, "get", f"{site}/")
    # Compressed for a browser that accepts it, and as valid once opened.
    compressed = visit(
        anonymous, "get", f"{site}/", headers={"Accept-Encoding": "gzip"}
    )
    assert compressed["Content-Encoding"] == "gzip"
    plain = pages[f"GET {site}/ ({language}, 200)"].encode()
    assert len(compressed.content) < len(plain) / 2
    visit(anonymous, "get", f"{site}/s/free/")
    visit(anonymous, "get", f"{site}/s/nothing-here/")
    visit(anonymous, "get", f"{site}/sign-in/?next={site}/me/")
    visit(anonymous, "post", f"{site}/sign-in/", data={"email": "not an address"})
    visit(anonymous, "post", f"{site}/sign-in/", data={"email": delegate.email})
    visit(anonymous, "get", f"{site}/sign-in/a-token/")
    visit(anonymous, "post", f"{site}/sign-in/a-spent-token/")
    visit(anonymous, "get", f"{back}/login/")
    visit(anonymous, "post", f"{back}/login/", data={"username": "x", "password": "y"})
    uid = urlsafe_base64_encode(force_bytes(organiser.pk))
    token = default_token_generator.make_token(organiser)
    visit(anonymous, "get", f"{back}/set-password/{uid}/{token}/", follow=True)
    visit(anonymous, "get", f"{back}/set-password/{uid}/not-a-token/")

    signed_in = delegate_client(delegate)
    visit(signed_in, "get", f"{site}/")
    visit(signed_in, "get", f"{site}/?understood=ar")
    visit(signed_in, "get", f"{site}/seats/", headers={"HX-Request": "true"})
    visit(signed_in, "get", f"{site}/s/free/")
    visit(signed_in, "get", f"{site}/s/full/")
    visit(signed_in, "get", f"{site}/me/")
    visit(signed_in, "post", f"{site}/me/calendar/")
    visit(signed_in, "get", f"{site}/me/delete/")
    visit(signed_in, "get", f"{site}/s/topics/")
    visit(
        signed_in, "post", f"{site}/s/topics/topics/", data={"first": "99"}, follow=True
    )
    own = Booking.objects.get(participant=delegate, session__code="free")
    visit(signed_in, "get", f"{site}/bookings/{own.pk}/cancel/")

    staff = staff_client(secretariat)
    visit(staff, "get", f"{back}/")
    for path in (
        "",
        "dashboard/",
        "settings/",
        "settings/erase-personal-data/",
        "staff/",
        f"staff/{organiser_role.pk}/",
        "delegates/",
        "delegates/?q=Amina",
        "delegates/import/",
        f"delegates/{delegate.pk}/",
        "s/full/edit/",
        "s/full/roster/",
        "s/full/roster/?status=waitlisted&sort=name",
        "s/free/check-in/",
        "s/free/check-in/?q=Amina",
        "s/free/messages/",
        "s/free/groups/",
        "s/free/groups/email/",
        "s/topics/groups/",
        f"s/free/bookings/{own.pk}/cancel/",
        f"s/free/bookings/{own.pk}/move/",
    ):
        visit(staff, "get", f"{back}/{slug}/{path}")
    visit(staff, "post", f"{back}/{slug}/s/full/edit/", data={"capacity": "0"})
    visit(staff, "post", f"{back}/{slug}/staff/", data={"email": "x", "role": "door"})
    visit(staff, "post", f"{back}/{slug}/s/free/messages/", data={"subject": ""})
    visit(
        staff,
        "post",
        f"{back}/{slug}/s/free/check-in/",
        data={"q": delegate.checkin_code},
    )
    for rows in (IMPORTED, IMPORTED + WRONG):
        upload = SimpleUploadedFile("delegates.csv", rows.encode(), "text/csv")
        visit(staff, "post", f"{back}/{slug}/delegates/import/", data={"file": upload})
    visit(staff, "post", f"{back}/{slug}/s/topics/groups/", data={"kind": "x"})
    visit(staff, "post", f"{back}/{slug}/s/free/check-in/", data={"action": "release"})
    visit(staff_client(door), "get", f"{back}/{slug}/staff/")
    visit(staff_client(organiser), "get", f"{back}/{slug}/")
    return pages, reached


def page_names() -> set[str]:
    """The URL names of the delegates' pages and of the back office."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(
            pattern.pattern, LocalePrefixPattern
        ):
            walk(pattern.url_patterns, "")
    assert names, "no page found under the language prefix"
    return names


def as_document(fragment: str) -> str:
    """A fragment htmx swaps into a page, inside the least page that is valid."""
    return f'<!DOCTYPE html><html lang="en"><title>Fragment</title>{fragment}'


def checker_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors on each page, by the page's label."""
    java = shutil.which("java")
    assert java, "no Java runtime: scripts/install-system-deps installs one"
    assert VNU.exists(), "vnu.jar is missing: run `npm ci` (make test does)"
    labels = {}
    for number, (label, html) in enumerate(pages.items()):
        path = folder / f"{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        labels[path.as_uri().replace("file:///", "file:/")] = label
    command = [java, *JAVA_OPTIONS, "-jar", str(VNU), "--format", "json"]
    result = subprocess.run(  # noqa: S603 (a fixed command on files written here)
        [*command, "--errors-only", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stderr)
    # Each error once per page, with the lines where it is and its first extract.
    found: dict[str, dict[str, tuple[list[str], str]]] = {}
    for message in report["messages"]:
        label = labels.get(message.get("url", ""), message.get("url", "?"))
        lines, _ = found.setdefault(label, {}).setdefault(
            message["message"], ([], " ".join(message.get("extract", "").split()))
        )
        lines.append(str(message.get("lastLine", "?")))
    return {
        label: [
            f"{text} (line {', '.join(lines)}: {extract})"
            for text, (lines, extract) in messages.items()
        ]
        for label, messages in found.items()
    }


def test_every_page_is_valid_html(conference, served_html: ServedHtml, tmp_path: Path):
    if served_html.browser_tests:
        assert served_html.pages, "the browser tests' pages were not collected"
    pages = dict(served_html.pages)
    pages.update(
        {
            f"{label} [fragment]": as_document(html)
            for label, html in served_html.fragments.items()
        }
    )
    reached: set[str] = set()
    for language in LANGUAGES:
        rendered, names = rendered_pages(conference, language)
        pages.update(rendered)
        reached |= names
    assert page_names() - reached - set(NOT_PAGES) == set(), "pages not checked"
    pages["control"] = CONTROL

    errors = checker_errors(pages, tmp_path)

    control = errors.pop("control", [])
    assert any("hx-get" in error for error in control), "the checker saw nothing"
    if errors:
        pytest.fail(
            "The Nu HTML Checker's errors:\n"
            + "\n".join(
                f"{label}:\n  " + "\n  ".join(found)
                for label, found in sorted(errors.items())
            ),
            pytrace=False,
        )
