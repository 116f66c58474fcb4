"""Settings shared by every environment; everything a deployment changes comes from
the environment (see README, "Settings")."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("MAJLIS_DATA_DIR", BASE_DIR / "data"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("MAJLIS_DEBUG")
SECRET_KEY = os.environ.get("MAJLIS_SECRET_KEY", "")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("MAJLIS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]
BASE_URL = os.environ.get("MAJLIS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    # First, so that its templates (the admin's branding and style) win.
    "majlis.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_countries",
    # Its templates and static files: the API reference's Swagger UI served
    # from here, never from a CDN (majlis/api/apis.py).
    "ninja",
    "majlis.events",
    "majlis.accounts",
    "majlis.bookings",
    "majlis.groups",
    "majlis.outbox",
    "majlis.api",
    "majlis.backoffice",
    "majlis.site",
    "majlis.demo",
    "majlis.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and answers compressed when the app serves alone (WhiteNoise,
    # above, compresses the static files itself). Django pads each with
    # random bytes, and masks the CSRF token anew in each page (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    # After WhiteNoise: the policies are for pages and answers, not for the
    # static files (600 bytes of headers less on each).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "majlis.core.headers.PrivacyHeadersMiddleware",
    # Django's own, passed over on the API's paths (majlis/core/middleware.py).
    "majlis.core.middleware.WebSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "majlis.core.middleware.WebCsrfViewMiddleware",
    "majlis.core.middleware.WebAuthenticationMiddleware",
    "majlis.core.middleware.WebMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "majlis.core.middleware.BoostedFormStaysMiddleware",
    "majlis.core.middleware.ApiLanguageMiddleware",
    "majlis.core.middleware.NotFoundMiddleware",
    "majlis.core.middleware.ApiMethodNotAllowedMiddleware",
    "majlis.core.middleware.MethodNotAllowedPageMiddleware",
    "majlis.core.database_outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "majlis.backoffice.navigation.navigation",
            ],
        },
    },
]
# Every form sums up its errors at its top, each linked to its field, and
# types text in the direction of what is typed (majlis/core/forms.py).
FORM_RENDERER = "majlis.core.forms.MajlisFormRenderer"


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        # The embedded default: a file in the data folder, made on first use.
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'majlis.sqlite3'}"
    # A health check costs every request one more round trip (a fifth of the
    # server's time in the flash-crowd bench); without it, the first request on
    # each pooled connection after a database restart fails, and answers 503
    # with Retry-After (majlis/core/database_outage.py); Django then drops the
    # connection. MAJLIS_DB_HEALTH_CHECKS=1 trades speed for that.
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=60,
            conn_health_checks=env_flag("MAJLIS_DB_HEALTH_CHECKS"),
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes SQLite's write lock when a transaction begins, so two
        # bookings never interleave their reads and writes; WAL lets readers
        # go on while one writer works.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif env_flag("MAJLIS_DB_PREPARED_STATEMENTS", default=True):
        # Parameters sent apart from the statement, and a statement run five
        # times on a connection kept prepared there, so PostgreSQL parses and
        # plans it once: a tenth less database CPU per booking in the
        # flash-crowd bench (docs/BENCHMARKS.md).
        # Behind a pooler that cannot keep prepared statements (PgBouncer in
        # transaction mode before 1.21, or without max_prepared_statements),
        # set MAJLIS_DB_PREPARED_STATEMENTS=0.
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LANGUAGE_NAMES = {
    "en": _("English"),
    "fr": _("French"),
    "es": _("Spanish"),
    "ar": _("Arabic"),
}
LOCALE_PATHS = [BASE_DIR / "majlis" / "locale"]
FORMAT_MODULE_PATH = ["majlis.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "majlis.core.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere, the admin's included (Django 6's admin
# needs none on the pages Majlis uses): scripts, styles and images come from
# this site's static files only. The browser tests fail on any violation
# (majlis/web_tests/conftest.py). "data:" images: the empty favicon that
# spares every page a request for /favicon.ico.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# Every powerful browser feature off (majlis/core/headers.py) ...
MAJLIS_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# ... but the camera at the door, where staff scan delegates' QR codes.
MAJLIS_PERMISSIONS_POLICY_VIEWS = {"backoffice:check-in": {"camera": ["self"]}}
# Answers under these paths are personal whoever asks: Cache-Control: private,
# no-store (as are signed-in pages and API requests with credentials).
MAJLIS_PRIVATE_PATHS = ("/backoffice/", "/admin/")
# Django looks for its CSRF middleware by name; Majlis's is a subclass that
# passes over the API's paths, checked instead by majlis/core/checks.py.
SILENCED_SYSTEM_CHECKS = ["security.W003"]


def mailer_from_env() -> dict:
    """The default mailer: SMTP at MAJLIS_EMAIL_HOST:MAJLIS_EMAIL_PORT."""
    return {
        "BACKEND": os.environ.get(
            "MAJLIS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
        ),
        "OPTIONS": {
            "host": os.environ.get("MAJLIS_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("MAJLIS_EMAIL_PORT", "25")),
            "username": os.environ.get("MAJLIS_EMAIL_USER", ""),
            "password": os.environ.get("MAJLIS_EMAIL_PASSWORD", ""),
            "use_tls": env_flag("MAJLIS_EMAIL_USE_TLS"),
            "timeout": 10,
        },
    }


MAILERS = {"default": mailer_from_env()}
DEFAULT_FROM_EMAIL = os.environ.get(
    "MAJLIS_FROM_EMAIL", "Majlis <no-reply@majlis.invalid>"
)

# How long a sign-in link stays valid, and how the sending worker retries.
MAJLIS_MAGIC_LINK_MINUTES = 30
# The sign-in link of the welcome an import may send: it may wait in an inbox.
MAJLIS_WELCOME_LINK_DAYS = 7
MAJLIS_PARTICIPANT_TOKEN_DAYS = 30
# 30 s doubling to a ceiling of 6 hours: 20 attempts span about three days of
# mail-server outage before a message is given up (and can be sent again from
# the admin).
MAJLIS_OUTBOX_MAX_ATTEMPTS = 20
MAJLIS_OUTBOX_RETRY_BASE_SECONDS = int(
    os.environ.get("MAJLIS_OUTBOX_RETRY_BASE_SECONDS", "30")
)
if MAJLIS_OUTBOX_RETRY_BASE_SECONDS < 1:  # 0 would retry in a loop
    raise ImproperlyConfigured("MAJLIS_OUTBOX_RETRY_BASE_SECONDS must be at least 1.")
# While processes that are not niced (requests, the database) keep this share
# of the machine's CPU busy or more (a flash crowd), the outbox workers pause,
# for at most the given seconds before each round they send; 0 never pauses
# (docs/SCALING.md).
MAJLIS_OUTBOX_YIELD_BUSY = float(os.environ.get("MAJLIS_OUTBOX_YIELD_BUSY", "0.7"))
MAJLIS_OUTBOX_LONGEST_YIELD_SECONDS = 60
# A booking waits at most this long for a row lock before answering "try again".
MAJLIS_LOCK_TIMEOUT_MS = 5000
# The API's programme (sessions with seats left) is rebuilt at most this often
# per process and language; 0 rebuilds it on every request.
MAJLIS_PROGRAMME_FRESH_SECONDS = 1
# A delegate's API token is looked up once in this many seconds per process
# (a revoked token keeps working that long at most); 0 looks it up every time.
MAJLIS_TOKEN_CACHE_SECONDS = 10
# A file of delegates to import: its size (an Excel file's content may unpack
# to four times as much) and its rows. 20,000 rows of a conference's delegates
# make a CSV of about 3 MB.
MAJLIS_IMPORT_MAX_BYTES = int(
    float(os.environ.get("MAJLIS_IMPORT_MAX_MB", "5")) * 1024 * 1024
)
MAJLIS_IMPORT_MAX_ROWS = int(os.environ.get("MAJLIS_IMPORT_MAX_ROWS", "20000"))
# How long an import's preview waits for the secretariat to confirm it.
MAJLIS_IMPORT_PREVIEW_MINUTES = 60

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "programme": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "programme",
    },
    # About 2 KB a delegate: 10,000 of them stay within 20 MB per process.
    "tokens": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tokens",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
}

# Logs go to the process's standard error (the terminal, or the journal under
# systemd); Majlis writes no log file. Every handler redacts email addresses
# and tokens first (docs/SECURITY.md, "Logs"). Django's own loggers and
# Granian's access log (MAJLIS_ACCESS_LOG) lose their default handlers, which
# would write without the filter, and pass their records to the root's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "majlis.core.log_redaction.RedactPersonalData"},
        "quiet_refusals": {"()": "majlis.core.refusal_logs.QuietRefusals"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # No handlers of their own: their records reach the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 409 (already booked, a time conflict) is an answer, not a fault.
        "django.request": {
            "handlers": [],
            "level": "INFO",
            "propagate": True,
            "filters": ["quiet_refusals"],
        },
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "granian.access": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates each step of a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "backoffice:login"

# Rate limits (majlis/core/ratelimit.py, docs/SECURITY.md): "count/period",
# the period in s, m, h or d; "off" turns one off. Counted in Redis when
# MAJLIS_REDIS_URL is set (shared by every server), else in each process.
MAJLIS_REDIS_URL = os.environ.get("MAJLIS_REDIS_URL", "")
MAJLIS_REDIS_KEY_PREFIX = os.environ.get("MAJLIS_REDIS_KEY_PREFIX", "majlis:")
# A reverse proxy in front adds the client's address to X-Forwarded-For.
MAJLIS_BEHIND_PROXY = env_flag("MAJLIS_BEHIND_PROXY")
MAJLIS_LIMIT_SIGN_IN_CLIENT = os.environ.get("MAJLIS_LIMIT_SIGN_IN_CLIENT", "60/10m")
MAJLIS_LIMIT_SIGN_IN_EMAIL = os.environ.get("MAJLIS_LIMIT_SIGN_IN_EMAIL", "1/1m")
MAJLIS_LIMIT_STAFF_LOGIN = os.environ.get("MAJLIS_LIMIT_STAFF_LOGIN", "5/15m")
MAJLIS_LIMIT_STAFF_LOGIN_ADDRESS = os.environ.get(
    "MAJLIS_LIMIT_STAFF_LOGIN_ADDRESS", "30/15m"
)
MAJLIS_LIMIT_STAFF_LOGIN_ACCOUNT = os.environ.get(
    "MAJLIS_LIMIT_STAFF_LOGIN_ACCOUNT", "20/15m"
)
MAJLIS_LIMIT_BOOKING_CHANGES = os.environ.get("MAJLIS_LIMIT_BOOKING_CHANGES", "20/1m")
MAJLIS_LIMIT_DOOR_LOOKUPS = os.environ.get("MAJLIS_LIMIT_DOOR_LOOKUPS", "60/1m")
