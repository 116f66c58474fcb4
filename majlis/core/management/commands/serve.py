import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from majlis.core.terminal import activate_terminal_language

OUTBOX_NICENESS = 10


def default_workers() -> int:
    return max(2, (os.cpu_count() or 1) * 2)


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, and serve Majlis with gunicorn; also runs the "
        "outbox worker that sends email, unless --no-outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000"))
        )
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-outbox", action="store_true")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Links in email point at this server unless a public address is set.
        os.environ.setdefault(
            "MAJLIS_BASE_URL", f"http://{options['host']}:{options['port']}"
        )
        bin_dir = Path(sys.executable).parent
        gunicorn = shutil.which("gunicorn", path=str(bin_dir)) or "gunicorn"
        outbox = None
        if not options["no_outbox"]:
            outbox = subprocess.Popen([sys.executable, "-m", "majlis.cli", "outbox"])
            # Email may wait a minute in a flash crowd; delegates clicking
            # "book" may not: the worker gets the CPU the requests leave.
            os.setpriority(os.PRIO_PROCESS, outbox.pid, OUTBOX_NICENESS)
        command = [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--keep-alive",
            "30",
            # Workers fork from a master that has imported everything once:
            # they start warm and share those pages of memory.
            "--preload",
            "--access-logfile",
            "-" if os.environ.get("MAJLIS_ACCESS_LOG") else "/dev/null",
        ]
        activate_terminal_language()
        self.stdout.write(
            _("Majlis is serving at %(url)s")
            % {"url": f"http://{options['host']}:{options['port']}/"}
        )
        server = subprocess.Popen(command)  # noqa: S603

        def stop(signum: int, _frame: object) -> None:
            # Stopping `majlis serve` stops gunicorn (gracefully) and the worker.
            server.send_signal(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            server.wait()
        finally:
            if outbox is not None:
                outbox.terminate()
                outbox.wait(timeout=10)
