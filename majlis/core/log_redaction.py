"""Keeps personal data and secrets out of the logs.

Django logs the path of every 4xx and 5xx answer ("Not Found: /api/v1/events/x/
participants/ann@example.org"), the API's paths carry delegates' addresses, and
links carry sign-in and password tokens. ``RedactPersonalData`` is a filter on
every handler (``LOGGING`` in config/settings/base.py): it rewrites each record's
message, and the text of its traceback, before any handler writes it.
"""

import logging
import re

# An address, also percent-encoded as a path or query string carries it.
# Local parts with "/", "=", "?" or "&" are legal but rare; leaving them out
# keeps the rest of a path or query string readable.
EMAIL = re.compile(r"[\w.!#$%'*+^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.ASCII)
# The API's keys, delegates' tokens and calendar addresses, wherever they appear.
MAJLIS_TOKEN = re.compile(r"\b(mj[kpc]_)[\w-]+")
BEARER = re.compile(r"(\bBearer\s+)\S+", re.IGNORECASE)
# Links whose path is a secret: sign-in links, staff password links.
SECRET_PATH = re.compile(r"(/(?:sign-in|set-password)/)[^\s?#\"']+")
# Query-string parameters that carry secrets.
SECRET_PARAMETER = re.compile(
    r"([?&;](?:token|access_token|key|api_key|code|password|secret)=)[^&#\s\"']*",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` without email addresses, tokens or secret parts of links."""
    text = BEARER.sub(rf"\g<1>{REDACTED}", text)
    text = MAJLIS_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = SECRET_PATH.sub(rf"\g<1>{REDACTED}/", text)
    text = SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", text)
    return EMAIL.sub("[email]", text)


class RedactPersonalData(logging.Filter):
    """Rewrites a record's message and traceback text with ``redact``; never
    drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_majlis_redacted", False):
            return True  # a record passes each handler's filter once
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what can be kept
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # Formatters write exc_text when it is set; the exception itself
            # (its message may hold an address) is no longer needed.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        # Django's request logger also attaches the request itself.
        if hasattr(record, "request"):
            record.request = None
        record._majlis_redacted = True
        return True
