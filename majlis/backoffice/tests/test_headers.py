"""The security headers of each kind of page and answer: a Content-Security-Policy
without inline script or style, a Permissions-Policy that turns every powerful
feature off (but the camera at the door), and Cache-Control: private, no-store
wherever personal data may be (majlis/core/headers.py); HSTS and the proxy
header in production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from majlis.accounts.services import api_key_create, participant_token_create
from majlis.bookings.services import Actor, booking_create
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

ROOT = Path(__file__).resolve().parents[3]
PRIVATE = "private, no-store"


@pytest.fixture
def conference(db):
    event = EventFactory(slug="headers", is_demo=True)
    session = SessionFactory(event=event, code="lab")
    delegate = ParticipantFactory(event=event, email="amina@example.org")
    booking = booking_create(
        participant=delegate, session=session, actor=Actor.delegate()
    )
    return {
        "event": event,
        "session": session,
        "delegate": delegate,
        "booking": booking,
    }


@pytest.fixture
def as_delegate(client, conference):
    store = client.session
    store[SESSION_KEY] = conference["delegate"].pk
    store.save()
    return client


@pytest.fixture
def as_secretariat(client, conference):
    client.force_login(User.objects.create_superuser("sec", "sec@example.org", "pw"))
    return client


def csp_of(answer) -> dict[str, str]:
    header = answer["Content-Security-Policy"]
    directives = (part.partition(" ") for part in header.split("; ") if part)
    return {name: value for name, _space, value in directives}


def assert_strict_csp(answer) -> None:
    policy = csp_of(answer)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in answer["Content-Security-Policy"]
    assert "nonce" not in answer["Content-Security-Policy"]


def features_of(answer) -> dict[str, str]:
    return dict(part.split("=", 1) for part in answer["Permissions-Policy"].split(", "))


def test_the_public_programme_is_strict_and_shareable(client, conference):
    answer = client.get("/en/e/headers/")

    assert answer.status_code == 200
    assert_strict_csp(answer)
    features = features_of(answer)
    assert features["camera"] == "()"
    assert features["geolocation"] == "()"
    assert features["microphone"] == "()"
    assert "no-store" not in answer.get("Cache-Control", "")
    api = client.get("/api/v1/events/headers/sessions")
    assert (
        api["Cache-Control"] == "public, max-age=0"
    )  # shared, one second in production
    assert "Permissions-Policy" in api and "Content-Security-Policy" in api


@pytest.mark.parametrize(
    "path",
    [
        "/en/e/headers/me/",
        "/en/e/headers/",
        "/en/e/headers/s/lab/",
        "/en/e/headers/bookings/{booking}/calendar.ics",
    ],
)
def test_a_signed_in_delegate_s_pages_are_private(as_delegate, conference, path):
    answer = as_delegate.get(path.format(booking=conference["booking"].pk))

    assert answer.status_code == 200
    assert answer["Cache-Control"] == PRIVATE
    assert_strict_csp(answer)


@pytest.mark.parametrize(
    "path",
    [
        "/en/backoffice/headers/s/lab/roster/",
        "/en/backoffice/headers/s/lab/roster.csv",
        "/en/backoffice/headers/s/lab/roster.xlsx",
        "/en/backoffice/headers/delegates/",
        "/en/backoffice/headers/delegates/{delegate}/",
        "/en/backoffice/headers/dashboard/",
        "/en/backoffice/headers/dashboard/?format=csv",
        "/admin/accounts/participant/",
    ],
)
def test_rosters_exports_and_delegate_records_are_private(
    as_secretariat, conference, path
):
    answer = as_secretariat.get(path.format(delegate=conference["delegate"].pk))

    assert answer.status_code == 200
    assert answer["Cache-Control"] == PRIVATE
    assert "Expires" not in answer
    assert_strict_csp(answer)
    assert features_of(answer)["camera"] == "()"


def test_the_staff_sign_in_page_is_private_too(client, db):
    answer = client.get("/en/backoffice/login/")

    assert answer["Cache-Control"] == PRIVATE
    assert_strict_csp(answer)


def test_only_the_door_may_use_the_camera_and_only_from_this_site(
    as_secretariat, conference
):
    door = as_secretariat.get("/en/backoffice/headers/s/lab/check-in/")
    roster = as_secretariat.get("/en/backoffice/headers/s/lab/roster/")

    assert features_of(door)["camera"] == "(self)"
    assert features_of(door)["microphone"] == "()"
    assert features_of(roster)["camera"] == "()"


def test_the_api_s_personal_answers_are_private(client, conference):
    token = participant_token_create(participant=conference["delegate"])
    key = api_key_create(name="headers", event=None)
    delegate = {"Authorization": f"Bearer {token}"}
    integration = {"Authorization": f"Bearer {key}"}

    answers = [
        client.get("/api/v1/me/bookings", headers=delegate),
        client.get("/api/v1/events/headers/sessions/lab/roster", headers=integration),
        client.put(
            "/api/v1/events/headers/participants/new@example.org",
            json.dumps(
                {
                    "name": "New",
                    "organisation": "",
                    "constituency": "other",
                    "country": "",
                    "language": "en",
                }
            ),
            content_type="application/json",
            headers=integration,
        ),
        client.post(
            "/api/v1/events/headers/participants/amina@example.org/token",
            headers=integration,
        ),
    ]

    assert [a.status_code for a in answers] == [200, 200, 201, 201]
    assert [a["Cache-Control"] for a in answers] == [PRIVATE] * 4


def test_error_pages_carry_the_headers(client, db):
    answer = client.get("/en/no-such-page/")

    assert answer.status_code == 404
    assert_strict_csp(answer)
    assert "Permissions-Policy" in answer


def test_the_dashboard_draws_its_bars_with_classes(as_secretariat, conference):
    page = as_secretariat.get("/en/backoffice/headers/dashboard/").content.decode()

    assert "style=" not in page
    # One delegate confirmed, none checked in, none waiting: a full blue bar.
    assert "chart-bar-confirmed share-100" in page
    assert "chart-bar-checked share-0" in page


def served_templates() -> list[Path]:
    """Every template a browser may be sent (the PDFs' and emails' are not)."""
    found = []
    for path in sorted((ROOT / "majlis").glob("*/templates/**/*.html")):
        relative = path.as_posix()
        if "/pdf/" in relative or "/outbox/" in relative:
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("template", served_templates(), ids=lambda p: p.name)
def test_no_template_holds_inline_script_style_or_event_handler(template):
    text = template.read_text()

    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text, "inline style sheet"
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text), "event-handler attribute"
    assert "javascript:" not in text


def production_settings(**env: str) -> dict:
    """A few settings as production computes them from this environment."""
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
    ]
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAJLIS_")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "MAJLIS_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_production_sends_hsts_with_subdomains_over_https():
    found = production_settings(MAJLIS_BASE_URL="https://majlis.example.org")

    assert found["SECURE_HSTS_SECONDS"] >= 31536000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_x_forwarded_proto_is_trusted_only_behind_a_configured_proxy():
    alone = production_settings(MAJLIS_BASE_URL="https://majlis.example.org")
    proxied = production_settings(
        MAJLIS_BASE_URL="https://majlis.example.org", MAJLIS_BEHIND_PROXY="1"
    )

    assert alone["SECURE_PROXY_SSL_HEADER"] is None
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
