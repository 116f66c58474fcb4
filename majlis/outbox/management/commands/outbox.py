import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connections

from majlis.outbox.services import outbox_send_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the email waiting in the outbox, retrying failures with back-off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Send what is due, then stop."
        )
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                report = outbox_send_due()
            except DatabaseError:
                # The database restarted or went away: keep the worker alive and
                # try again on the next round; nothing is lost, as messages wait
                # in the database.
                if options["once"]:
                    raise
                logger.exception("outbox: the database failed; trying again")
                connections.close_all()
            else:
                if report.sent or report.retried or report.failed:
                    self.stdout.write(
                        f"outbox: {report.sent} sent, {report.retried} to retry, "
                        f"{report.failed} given up"
                    )
            if options["once"]:
                return
            # Between rounds, as Django does between requests: drop a connection
            # that broke or grew too old.
            close_old_connections()
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
