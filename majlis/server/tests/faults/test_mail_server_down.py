"""The mail server down while delegates book, then back: `majlis serve`'s
email worker sends every message once it returns, each exactly once."""

import time

from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.tests.conftest import SmtpServer
from majlis.testing.demo_server import free_port
from majlis.testing.servers import serving

from .load import Load, crowd

DELEGATES = 10
# The outbox tries again this long after a first failure (doubling after
# that); 30 s by default, shorter here so that the test waits seconds.
RETRY_BASE_SECONDS = 2
DELIVERED_WITHIN_SECONDS = 60
SETTLE_SECONDS = 5


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_every_message_is_sent_once_when_the_mail_server_returns():
    people = crowd(DELEGATES, 1)
    addresses = sorted(p.email for p in people.event.participants.all())
    mail_port = free_port()  # nothing listens there yet
    port = free_port()
    messages = OutboxMessage.objects.filter(to_email__in=addresses)
    mail = SmtpServer(port=mail_port)
    with serving(
        port,
        *("--workers", "1", "--outbox-workers", "1"),
        environment={
            "MAJLIS_EMAIL_HOST": "127.0.0.1",
            "MAJLIS_EMAIL_PORT": str(mail_port),
            "MAJLIS_OUTBOX_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        },
    ):
        load = Load(port, people).start()
        load.join()
        assert load.acknowledged() == DELEGATES
        assert _until(
            lambda: (
                messages.count() == DELEGATES
                and not messages.filter(attempts=0).exists()
            ),
            60,
        ), "every message tried while the mail server was down"
        assert not messages.filter(status=OutboxStatus.SENT).exists()
        mail.start()
        returned = time.monotonic()
        try:
            assert _until(
                lambda: messages.filter(status=OutboxStatus.SENT).count() == DELEGATES,
                DELIVERED_WITHIN_SECONDS,
            ), list(messages.values_list("status", "attempts", "last_error"))
            print({"all sent, seconds after the return": time.monotonic() - returned})
            time.sleep(SETTLE_SECONDS)  # nothing sent a second time meanwhile
        finally:
            mail.stop()
    received = sorted(rcpt for d in mail.deliveries for rcpt in d.rcpt_tos)
    assert received == addresses
