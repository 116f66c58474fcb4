"""A refusal is an answer, not a fault.

Django's request logger writes a warning for every 4xx answer. A crowd booking
at once draws thousands of 409s (already booked, a time conflict, a seat that
went meanwhile), each one line of no use to anyone, which would bury the
warnings worth reading and cost the server a write apiece. ``QuietRefusals``,
on the ``django.request`` logger (``LOGGING`` in config/settings/base.py),
drops those; every other 4xx and every 5xx is still written.
"""

import logging
from http import HTTPStatus


class QuietRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != HTTPStatus.CONFLICT
