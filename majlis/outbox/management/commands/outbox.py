import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from majlis.outbox.services import outbox_send_due


class Command(BaseCommand):
    help = "Send the email waiting in the outbox, retrying failures with back-off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Send what is due, then stop."
        )
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = outbox_send_due()
            if report.sent or report.retried or report.failed:
                self.stdout.write(
                    f"outbox: {report.sent} sent, {report.retried} to retry, "
                    f"{report.failed} given up"
                )
            if options["once"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
