"""A mail backend for the demo: prints each email readably in the terminal.

Django's console backend prints the MIME source, where a French, Spanish or
Arabic body is base64 and its sign-in link unreadable.
"""

import sys
import threading
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class ReadableConsoleBackend(BaseEmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.stream = kwargs.pop("stream", sys.stdout)
        self._lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        with self._lock:
            for message in email_messages:
                attachments = ", ".join(
                    str(getattr(a, "filename", None) or a[0])
                    for a in message.attachments
                )
                lines = [
                    "-" * 72,
                    f"To: {', '.join(message.to)}",
                    f"Subject: {message.subject}",
                    *([f"Attachments: {attachments}"] if attachments else []),
                    "",
                    str(message.body).rstrip(),
                    "-" * 72,
                ]
                self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        return len(email_messages)
