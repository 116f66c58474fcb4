"""The embedded demo: SQLite in the data folder, sign-in emails printed in the
terminal unless a mail server is configured."""

import os

from .base import *  # noqa: F403
from .base import DATA_DIR, SECRET_KEY, env_flag

DEBUG = env_flag("MAJLIS_DEBUG")
if not SECRET_KEY:
    # A demo still needs a stable secret across restarts, never one in git.
    secret_file = DATA_DIR / "secret_key"
    if not secret_file.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = secret_file.read_text().strip()
if "MAJLIS_EMAIL_HOST" not in os.environ and "MAJLIS_EMAIL_BACKEND" not in os.environ:
    MAILERS = {"default": {"BACKEND": "majlis.outbox.console.ReadableConsoleBackend"}}
