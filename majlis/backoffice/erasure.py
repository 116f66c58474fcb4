"""The back office's own copies of delegates' addresses, erased with them."""

from typing import Any

from majlis.backoffice.models import SessionMessage
from majlis.events.models import Event


def replace_erased_addresses(
    *, event: Event, addresses: dict[str, str], **_kwargs: Any
) -> None:
    """In the log of messages written to a session's delegates, each erased
    address becomes its anonymous one: the count of recipients stays."""
    changed = []
    for message in SessionMessage.objects.filter(session__event=event):
        recipients = [
            addresses.get(str(address).lower(), address)
            for address in message.recipients
        ]
        if recipients != message.recipients:
            message.recipients = recipients
            changed.append(message)
    SessionMessage.objects.bulk_update(changed, ["recipients"])
