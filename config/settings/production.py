"""Production: every secret comes from the environment and cookies are secure."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_URL, SECRET_KEY, env_flag

if not SECRET_KEY:
    raise ImproperlyConfigured("Set MAJLIS_SECRET_KEY for production.")
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_flag("MAJLIS_SSL_REDIRECT")
# X-Forwarded-Proto says whether the client used HTTPS only when a proxy we run
# sets it; without one, any client could send it and pass for HTTPS.
if env_flag("MAJLIS_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
