import logging
import os
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connections

from majlis.core.housekeeping import HOUSEKEEPING_SECONDS, run_chores
from majlis.outbox.crowding import OUTBOX_NICENESS, CpuBusy, CrowdYield
from majlis.outbox.services import CLAIM_BATCH, SendReport, outbox_send_due
from majlis.server.warmup import warm_up

logger = logging.getLogger(__name__)

# Messages sent per round; a full round means more are probably due.
ROUND = 100
# How often a paused worker looks at the CPU again, and sends what is urgent.
PAUSE_SECONDS = 0.5


class Command(BaseCommand):
    help = "Send the email waiting in the outbox, retrying failures with back-off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Send all that is due, then stop."
        )
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **options: Any) -> None:
        # Stopped by a service manager as by Ctrl-C: claimed messages not yet
        # tried are handed back on the way out, not left to their lease.
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread:  # where Python lets a handler be set
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._run(options)
        except KeyboardInterrupt:
            return
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)

    def _run(self, options: dict[str, Any]) -> None:
        if settings.MAJLIS_OUTBOX_YIELD_BUSY > 0:
            # Pausing for the CPU the requests use only makes sense below
            # them, and the CPU of niced work counts as free (crowding.py):
            # a worker not niced would count its own sending as a crowd.
            _lowest_priority()
        warm_up()
        crowd = CrowdYield(
            CpuBusy(),
            threshold=settings.MAJLIS_OUTBOX_YIELD_BUSY,
            longest_seconds=settings.MAJLIS_OUTBOX_LONGEST_YIELD_SECONDS,
            # After the longest pause, a round of claims goes out.
            then_send=ROUND // CLAIM_BATCH,
        )
        # Looked at before every claim: a crowd starting mid-round stops it.
        pause = None if options["once"] else crowd.should_pause
        paused = False
        housekept_at: float | None = None
        while True:
            if pause is not None and pause():
                # Requests are waiting for the CPU (a flash crowd): email can
                # be late by a minute, a delegate clicking "book" cannot.
                if not paused:
                    self.stdout.write("outbox: paused while the CPU is crowded")
                paused = True
                # A sign-in link is not held back: its delegate cannot book
                # until it arrives, and a crowd is when they want to.
                self._send_urgent()
                time.sleep(PAUSE_SECONDS)
                continue
            paused = False
            full_round = False
            try:
                report = outbox_send_due(limit=ROUND, pause=pause)
            except DatabaseError:
                # The database restarted or went away: keep the worker alive and
                # try again on the next round; nothing is lost, as messages wait
                # in the database.
                if options["once"]:
                    raise
                logger.exception("outbox: the database failed; trying again")
                connections.close_all()
            else:
                handled = report.sent + report.retried + report.failed + report.dropped
                # Stopped for a crowd: the pause is taken at the top.
                full_round = handled >= ROUND or report.paused
                if handled:
                    self.stdout.write(
                        f"outbox: {report.sent} sent, {report.retried} to retry, "
                        f"{report.failed} given up{_dropped(report)}"
                    )
            if full_round:
                # More is waiting (a flash crowd queues thousands of
                # confirmations): the next round starts at once. Pausing two
                # seconds per hundred messages cost a crowd's last delegates
                # minutes (docs/BENCHMARKS.md).
                continue
            if housekept_at is None or (
                time.monotonic() - housekept_at >= HOUSEKEEPING_SECONDS
            ):
                # While the queue is empty: a crowd's email goes first.
                self._housekeep()
                housekept_at = time.monotonic()
            if options["once"]:
                return
            # Before resting, as Django does between requests: drop a
            # connection that broke or grew too old.
            close_old_connections()
            time.sleep(options["interval"])

    def _housekeep(self) -> None:
        for chore, removed in run_chores().items():
            if removed:
                self.stdout.write(f"outbox: housekeeping, {chore}: {removed} removed")

    def _send_urgent(self) -> None:
        try:
            report = outbox_send_due(limit=ROUND, only_urgent=True)
        except DatabaseError:
            logger.exception("outbox: the database failed; trying again")
            connections.close_all()
            return
        if report.sent or report.retried or report.failed or report.dropped:
            self.stdout.write(
                f"outbox: {report.sent} urgent sent, {report.retried} to retry, "
                f"{report.failed} given up{_dropped(report)}"
            )


def _dropped(report: SendReport) -> str:
    return f", {report.dropped} no longer to send" if report.dropped else ""


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _lowest_priority() -> None:
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < OUTBOX_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, OUTBOX_NICENESS)
