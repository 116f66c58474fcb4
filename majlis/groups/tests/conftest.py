"""The outbox's real SMTP server, for the emails of the arrangements."""

from majlis.outbox.tests.conftest import (  # noqa: F401 - fixtures
    mail_to_smtp,
    smtp_server,
    start_smtp_server,
)
