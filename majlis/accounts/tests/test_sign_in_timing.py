"""A sign-in request does the same work whether the address is registered,
unknown, or registered with a link that is sent again, so that its time
cannot tell them apart (timed in bench/sign_in_timing.py, figures in
docs/RELIABILITY.md). Checked here by the work itself: the same statements on
the same tables, the same rows written; only a registered delegate gets a
link to send."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from majlis.accounts.models import MagicLink
from majlis.accounts.services import magic_link_consume, magic_link_request
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import outbox_send_due
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT)"
    r"(?:.*? FROM)?\s*\"?(\w+)?",
    re.IGNORECASE | re.DOTALL,
)


def shape(sql: str) -> tuple[str, str]:
    """A statement's verb and first table: what it does, not its values."""
    found = STATEMENT.match(sql)
    assert found, sql
    verb, table = found.groups()
    verb = verb.upper()
    if verb.startswith(("SAVEPOINT", "RELEASE")):
        return verb, ""
    locks = " FOR UPDATE" if "FOR NO KEY UPDATE" in sql or "FOR UPDATE" in sql else ""
    return verb + locks, table or ""


def rows() -> dict[str, int]:
    return {
        "links": MagicLink.objects.count(),
        "messages": OutboxMessage.objects.count(),
    }


def work_of(event, email: str) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The statements a sign-in request runs, and the rows it adds."""
    before = rows()
    with CaptureQueriesContext(connection) as queries:
        magic_link_request(event=event, email=email)
    after = rows()
    return (
        [shape(q["sql"]) for q in queries.captured_queries],
        {table: after[table] - before[table] for table in after},
    )


def test_registered_unknown_and_a_link_sent_again_do_the_same_work(settings):
    event = EventFactory()
    ParticipantFactory(event=event, email="amina@example.org")
    # The requests themselves, not the once-a-minute limit in front of them.
    settings.MAJLIS_LIMIT_SIGN_IN_EMAIL = "off"

    registered = work_of(event, "Amina@example.org")
    unknown = work_of(event, "nobody@example.org")
    sent_again = work_of(event, "amina@example.org")

    statements, written = registered
    assert written == {"links": 1, "messages": 1}
    assert [s for s in statements if s[0].startswith("INSERT")] == [
        ("INSERT INTO", "accounts_magiclink"),
        ("INSERT INTO", "outbox_outboxmessage"),
    ]
    assert unknown == registered
    assert sent_again == registered


def test_only_the_registered_delegate_gets_a_link_that_works(settings, mailoutbox):
    settings.MAJLIS_LIMIT_SIGN_IN_EMAIL = "off"
    event = EventFactory()
    amina = ParticipantFactory(event=event, email="amina@example.org")

    magic_link_request(event=event, email="nobody@example.org")
    decoy = MagicLink.objects.get()
    dropped = OutboxMessage.objects.get()
    magic_link_request(event=event, email="amina@example.org")

    assert decoy.participant is None
    assert decoy.expires_at <= decoy.created_at
    assert (dropped.status, dropped.to_email, dropped.payload) == (
        OutboxStatus.DROPPED,
        "",
        {},
    )
    outbox_send_due()
    assert [m.to for m in mailoutbox] == [["amina@example.org"]]
    token = re.search(r"/sign-in/([\w-]+)/", mailoutbox[0].body).group(1)
    assert magic_link_consume(event=event, raw_token=token) == amina
    OutboxMessage.objects.filter(pk=dropped.pk, status=OutboxStatus.DROPPED).get()
