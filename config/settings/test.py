"""Tests: the same settings as production, with fast password hashing and
mail kept in memory unless a test points it at its own SMTP server."""

from .base import *  # noqa: F403

SECRET_KEY = "tests-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAJLIS_LOCK_TIMEOUT_MS = 10000
# Tests read seats left right after booking; the cache has tests of its own.
MAJLIS_PROGRAMME_FRESH_SECONDS = 0
MAJLIS_TOKEN_CACHE_SECONDS = 0
# The machine's load must not decide whether a test's worker sends; pausing has
# tests of its own.
MAJLIS_OUTBOX_YIELD_BUSY = 0.0
# Static files come from the apps' folders, as in development; nothing is collected.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None  # type: ignore[assignment]
# Rate limits count in memory, a fresh limiter for each test (conftest.py);
# the tests of the Redis store name their own server and key prefix.
MAJLIS_REDIS_URL = ""
