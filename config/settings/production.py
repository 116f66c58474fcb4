"""Production: every secret comes from the environment and cookies are secure.

`majlis check --deploy` is clean with these settings, an HTTPS MAJLIS_BASE_URL
and MAJLIS_BEHIND_PROXY (majlis/server/tests/test_deploy_checks.py)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_URL, SECRET_KEY, SILENCED_SYSTEM_CHECKS, env_flag

if not SECRET_KEY:
    raise ImproperlyConfigured("Set MAJLIS_SECRET_KEY for production.")
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# X-Forwarded-Proto says whether the client used HTTPS only when a proxy we run
# sets it; without one, any client could send it and pass for HTTPS.
BEHIND_PROXY = env_flag("MAJLIS_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A request that came in plain HTTP is redirected to HTTPS, where Django can
# tell: behind the proxy, which says so. Without one, every request would look
# plain (Granian speaks HTTP only) and be redirected for ever. The health
# checks stay answerable to a load balancer that asks the server directly.
SECURE_SSL_REDIRECT = env_flag(
    "MAJLIS_SSL_REDIRECT", default=SESSION_COOKIE_SECURE and BEHIND_PROXY
)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/"]
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Asking browsers to preload HTTPS for the whole registered domain is the
# decision of that domain's owner, submitted at hstspreload.org, not of one
# service on it: sent only when MAJLIS_HSTS_PRELOAD says so.
SECURE_HSTS_PRELOAD = env_flag("MAJLIS_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
