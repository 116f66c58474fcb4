"""Django's deployment checks, run on the production settings as an operator
would start them: nothing to report."""

import json
import os
import subprocess
import sys
from pathlib import Path

MAJLIS = str(Path(sys.executable).parent / "majlis")


def _production(**overrides: str) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MAJLIS_", "DJANGO_"))
    }
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # 50 characters and more than 5 different ones, as Django's check asks.
        "MAJLIS_SECRET_KEY": "a-production-secret-of-sixty-characters-0123456789xyz",
        "MAJLIS_BASE_URL": "https://majlis.example.org",
        "MAJLIS_ALLOWED_HOSTS": "majlis.example.org",
        "MAJLIS_BEHIND_PROXY": "1",
        **overrides,
    }


def _check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAJLIS, "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = _check_deploy(_production(MAJLIS_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_the_proxy_nothing_redirects_to_https_and_the_check_says_so(
    tmp_path,
):
    """Without a proxy to say a request came over HTTPS, a redirect would loop:
    the check names what an operator should see to."""
    environment = _production(MAJLIS_DATA_DIR=str(tmp_path))
    del environment["MAJLIS_BEHIND_PROXY"]
    result = _check_deploy(environment)
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_behind_the_proxy_plain_http_is_redirected_and_cookies_stay_on_https(
    tmp_path,
):
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_production(MAJLIS_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        # A load balancer asks the server itself, in plain HTTP.
        "SECURE_REDIRECT_EXEMPT": ["^api/v1/health/"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_a_csrf_middleware_of_majlis_own_counts_and_none_is_reported(settings):
    from majlis.core.checks import csrf_middleware_in_place

    assert csrf_middleware_in_place() == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    assert [message.id for message in csrf_middleware_in_place()] == ["majlis.W001"]
