import contextlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from majlis.core.log_redaction import redact
from majlis.core.terminal import activate_terminal_language
from majlis.outbox.crowding import OUTBOX_NICENESS
from majlis.server.lifetime import dying_with_this_process
from majlis.server.proxy import FrontProxy, NginxRefused, listen_addresses, nginx_binary
from majlis.server.warmup import LONG_LIVED_PROCESS

WORKERS_KILL_TIMEOUT_SECONDS = 10
# Open client connections a server holds at once, idle ones included: a
# crowd of phones each keeping its connection up to 30 s after its last
# request (Granian's header read timeout closes idle ones). Granian's own
# limit would be its listen backlog of 1,024 shared by the workers.
DEFAULT_CONNECTIONS = 4096
# Granian's own default, stated: a connection whose request head has not
# arrived within it is closed (a slow head holds a connection, not a thread).
# Above nginx's keepalive_timeout towards the servers (deploy/nginx.conf), so
# that nginx never sends a request on a connection Granian is closing.
HEADER_READ_TIMEOUT_MS = 30_000


# Worker processes, by where the database is (docs/SCALING.md):
# - PostgreSQL on another machine: two per core, each thread spends more of a
#   request waiting on round trips.
# - PostgreSQL on this machine: one per core. A worker's Python runs one
#   thread at a time, so one worker never uses more than a core: on 2 cores
#   beside PostgreSQL, two workers served the flash crowd in 12.4 s against
#   18.8 s for one (p99 120 against 147 ms), the mixed crowd at 811 requests/s
#   against 587 and the pages at 115 bookings/s against 79, with the same or
#   a shorter tail (runs of 2026-12-06, back to back). Two also keep one
#   serving while Granian replaces a worker that died.
# - SQLite: one per core, at least 2; the database works inside the workers.
WORKERS_PER_CORE_DATABASE_ELSEWHERE = 2
WORKERS_PER_CORE_DATABASE_HERE = 1
WORKERS_PER_CORE_SQLITE = 1


def database_on_this_machine(vendor: str, host: str) -> bool:
    """SQLite, or PostgreSQL reached through a Unix socket or a loopback address."""
    if vendor != "postgresql":
        return True
    if host in ("", "localhost") or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: another machine, as far as can be told here
        return False


def default_workers() -> int:
    cores = os.cpu_count() or 1
    if connection.vendor != "postgresql":
        return max(2, cores * WORKERS_PER_CORE_SQLITE)
    host = str(connection.settings_dict.get("HOST") or "")
    if database_on_this_machine(connection.vendor, host):
        return max(1, cores * WORKERS_PER_CORE_DATABASE_HERE)
    return max(2, cores * WORKERS_PER_CORE_DATABASE_ELSEWHERE)


def served_url(host: str, port: int) -> str:
    """The address a browser opens to reach ``host`` and ``port``."""
    if ":" in host:  # an IPv6 address is written in brackets in a URL
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def reached_by_others(host: str) -> bool:
    """Whether serving on ``host`` answers other machines."""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name such as localhost is the operator's to know
        return host != "localhost"


def exposure_warnings(
    host: str, port: int, *, behind_proxy: bool, base_url_set: bool
) -> list[str]:
    """What to tell whoever serves on an address other machines reach, every
    time it starts."""
    if not reached_by_others(host):
        return []
    warnings = []
    if behind_proxy:
        warnings.append(
            _(
                "Make sure only the reverse proxy can reach this port: it is"
                " trusted to name the client (MAJLIS_BEHIND_PROXY)."
            )
        )
    if not base_url_set:
        warnings.append(
            _("MAJLIS_BASE_URL is not set: links in email will point at %(url)s.")
            % {"url": served_url(host, port)}
        )
    return warnings


def front_proxy(host: str, port: int) -> FrontProxy | None:
    """nginx in front of Granian, on an address other machines reach without
    a reverse proxy of the operator's (MAJLIS_BEHIND_PROXY).

    Granian hands a request to a thread once its head has arrived and reads
    the body in that thread, with no time limit: a few clients sending bodies
    slowly would hold every thread (docs/SECURITY.md, "Slow clients"). nginx
    reads each request whole, with time limits, before Granian sees it."""
    if not reached_by_others(host) or settings.MAJLIS_BEHIND_PROXY:
        return None
    binary = nginx_binary()
    if binary is None:
        raise CommandError(
            _(
                "Serving other machines needs nginx in front of Majlis, and"
                " none was found. Install Debian's nginx, or serve on 127.0.0.1"
                " behind a reverse proxy of your own with MAJLIS_BEHIND_PROXY"
                " set (deploy/README.md)."
            )
        )
    try:
        return FrontProxy.prepare(
            binary, listen_addresses(host, port), Path(settings.STATIC_ROOT)
        )
    except NginxRefused as refused:
        raise CommandError(
            _("nginx refused its configuration:\n%(errors)s")
            % {"errors": refused.errors}
        ) from refused


def default_outbox_workers() -> int:
    """One sender per core on PostgreSQL, where they share the queue with SKIP
    LOCKED and drain a crowd's confirmations as the requests leave the CPU;
    one on SQLite, whose single write lock the bookings need."""
    if connection.vendor == "postgresql":
        return os.cpu_count() or 1
    return 1


def _lower_autogroup(pid: int) -> None:
    """Give the worker's own session the lowest share of the CPU, where Linux
    groups the scheduling of each session (autogroup, on by default in
    Debian's kernel).

    A nice value orders processes only within their group: PostgreSQL runs in
    a group of its own, so an outbox worker at nice 19 still took the
    database's half of the CPU whenever the server's threads waited for it.
    Measured, it cost a crowd as much time as it used CPU (docs/BENCHMARKS.md).
    """
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(OUTBOX_NICENESS))


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, and serve Majlis with Granian; also runs the "
        "outbox workers that send email, unless --no-outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000"))
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="worker processes; default one per core with PostgreSQL on"
            " this machine, two per core (at least 2) with PostgreSQL"
            " elsewhere, one per core (at least 2) on SQLite",
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--connections",
            type=int,
            default=DEFAULT_CONNECTIONS,
            help="client connections held at once by all workers, idle ones included",
        )
        parser.add_argument("--no-outbox", action="store_true")
        parser.add_argument("--outbox-workers", type=int)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError(_("--workers must be at least 1."))
        workers = options["workers"] or default_workers()
        if options["connections"] < workers:
            raise CommandError(
                _("--connections must be at least the number of workers.")
            )
        if options["threads"] < 1:
            raise CommandError(_("--threads must be at least 1."))
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        front = front_proxy(options["host"], options["port"])
        try:
            self._serve(options, workers, front)
        finally:
            if front is not None:
                front.remove()

    def _serve(
        self, options: dict[str, Any], workers: int, front: FrontProxy | None
    ) -> None:
        base_url_set = bool(os.environ.get("MAJLIS_BASE_URL"))
        # Links in email point at this server unless a public address is set.
        os.environ.setdefault(
            "MAJLIS_BASE_URL", served_url(options["host"], options["port"]).rstrip("/")
        )
        per_worker = -(-options["connections"] // workers)
        bin_dir = Path(sys.executable).parent
        granian = shutil.which("granian", path=str(bin_dir)) or "granian"
        command = [
            granian,
            "--interface",
            "wsgi",
            *(
                ("--uds", str(front.socket), "--uds-permissions", "0o600")
                if front is not None
                else ("--host", options["host"], "--port", str(options["port"]))
            ),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(options["threads"]),
            # Granian counts connections here, not requests: a worker at its
            # limit stops accepting, and an idle kept-alive connection holds
            # its place (docs/BENCHMARKS.md in git before 2026-12-05, item 24).
            "--backpressure",
            str(per_worker),
            # A worker that dies is replaced rather than leaving fewer behind
            # (a single worker's port is closed for about 0.6 s meanwhile).
            "--respawn-failed-workers",
            "--http1-header-read-timeout",
            str(HEADER_READ_TIMEOUT_MS),
            # A worker can miss its stop signal when it lands on one of
            # Granian's own threads (seen here about once in four stops); it
            # is killed after this many seconds instead of being waited for
            # forever. Requests take milliseconds; a booking that is cut off
            # rolls back and is retried with its Idempotency-Key.
            "--workers-kill-timeout",
            str(WORKERS_KILL_TIMEOUT_SECONDS),
            "--no-ws",
            "--log-level",
            "warning",
            "--access-log"
            if os.environ.get("MAJLIS_ACCESS_LOG")
            else "--no-access-log",
            "config.wsgi:application",
        ]
        self.stdout.write(
            _("Majlis is serving at %(url)s")
            % {"url": served_url(options["host"], options["port"])}
        )
        if front is not None:
            self.stdout.write(
                _(
                    "nginx answers there and reads each request whole before Majlis sees it."
                )
            )
        for warning in exposure_warnings(
            options["host"],
            options["port"],
            behind_proxy=settings.MAJLIS_BEHIND_PROXY,
            base_url_set=base_url_set,
        ):
            self.stderr.write(warning)
        server: subprocess.Popen | None = None
        proxy: subprocess.Popen | None = None
        forwarding: threading.Thread | None = None
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            # Stopping `majlis serve` stops nginx, then Granian (gracefully)
            # and the workers; a closed terminal (SIGHUP) too, as the workers,
            # in sessions of their own, no longer hear it themselves. nginx
            # finishes the requests it has begun, passing them to Granian:
            # Granian is stopped once nginx has gone (below, finally).
            nonlocal stopping
            stopping = True
            if proxy is not None and proxy.poll() is None:
                proxy.send_signal(signal.SIGQUIT)
            elif server is not None and server.poll() is None:
                server.send_signal(
                    signal.SIGTERM if signum == signal.SIGHUP else signum
                )

        # Before any process is started, so that none is left behind.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, stop)
        outboxes: list[subprocess.Popen] = []
        try:
            if not options["no_outbox"]:
                _start_outboxes(options["outbox_workers"], into=outboxes)
            if stopping:
                return
            environment = _long_lived()
            if front is not None:
                # nginx names the client in X-Forwarded-For.
                environment["MAJLIS_BEHIND_PROXY"] = "1"
                # It speaks HTTP only, and says so in X-Forwarded-Proto: the
                # production settings' redirect to HTTPS, on behind a proxy,
                # would send every page where no request through it arrives.
                environment.setdefault("MAJLIS_SSL_REDIRECT", "0")
            server = subprocess.Popen(  # noqa: S603
                command,
                env=environment,
                # Killed outright, `majlis serve` stops Granian as SIGTERM
                # does (Granian then stops its workers, and they die with it
                # if it is killed too): nothing left serving the port.
                preexec_fn=dying_with_this_process(signal.SIGTERM),
                # Behind nginx, out of reach of a terminal's Ctrl-C, which
                # would stop it before nginx has passed on what it is reading.
                process_group=0 if front is not None else None,
            )
            if front is not None and _socket_made(front, server) and not stopping:
                proxy = subprocess.Popen(  # noqa: S603
                    front.command,
                    # Its error log names the request line of a request that
                    # failed: written on serve's error output once redacted.
                    stderr=subprocess.PIPE,
                    # nginx stops its workers when it stops, even on SIGTERM;
                    # killed outright, it leaves them serving: a group of its
                    # own lets serve stop them then.
                    start_new_session=True,
                    preexec_fn=dying_with_this_process(signal.SIGTERM),
                )
                forwarding = threading.Thread(
                    target=_write_redacted, args=(proxy.stderr,), daemon=True
                )
                forwarding.start()
            if stopping:
                stop(signal.SIGTERM, None)
            running = [child for child in (proxy, server) if child is not None]
            while all(child.poll() is None for child in running):
                time.sleep(0.5)
            if proxy is not None and proxy.returncode is not None and not stopping:
                raise CommandError(
                    _("nginx stopped (exit %(code)s); Majlis stops with it.")
                    % {"code": proxy.returncode}
                )
            if server.returncode is not None and not stopping:
                # A failure, so that a service manager restarts it.
                raise CommandError(
                    _("Granian stopped (exit %(code)s); Majlis stops with it.")
                    % {"code": server.returncode}
                )
        finally:
            if proxy is not None:
                _stop(proxy, signal.SIGQUIT)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proxy.pid, signal.SIGKILL)
            if forwarding is not None:
                forwarding.join(timeout=5)  # nginx's last lines
            if server is not None:
                _stop(server, signal.SIGTERM)
            _stop_outboxes(outboxes)


def _long_lived() -> dict[str, str]:
    """The environment of a process that serves until it is stopped."""
    return {**os.environ, LONG_LIVED_PROCESS: "1"}


def _start_outboxes(count: int | None, *, into: list[subprocess.Popen]) -> None:
    """Start the email workers, each added to ``into`` as it starts, so that
    whatever happens next, the caller stops every one that was started."""
    for _number in range(max(1, count or default_outbox_workers())):
        outbox = subprocess.Popen(
            [sys.executable, "-m", "majlis.cli", "outbox"],
            env=_long_lived(),
            # A session of its own, so that its scheduling group can be given
            # the lowest share below.
            start_new_session=True,
            # Out of serve's session and group, no signal to them reaches it:
            # it stops when serve dies, even killed outright (SIGTERM: it
            # hands back the messages it claimed).
            preexec_fn=dying_with_this_process(signal.SIGTERM),
        )
        into.append(outbox)
        # Email may wait a minute in a flash crowd; delegates clicking "book"
        # may not: the workers get the CPU the requests leave (the lowest
        # priority: with one sender per core, nice 10 still took a share of
        # the crowd's CPU).
        os.setpriority(os.PRIO_PROCESS, outbox.pid, OUTBOX_NICENESS)
        _lower_autogroup(outbox.pid)


def _write_redacted(lines: IO[bytes]) -> None:
    """Each line of ``lines`` on this process's error output, without the
    email addresses and secrets (docs/SECURITY.md, "Logs")."""
    for line in lines:
        sys.stderr.write(redact(line.decode(errors="replace")))
        sys.stderr.flush()


def _socket_made(front: FrontProxy, granian: subprocess.Popen) -> bool:
    """Wait until Granian's socket takes connections, so that nginx answers
    no one before there is somewhere to pass requests; False if Granian
    stopped first. Granian makes the socket at once but refuses connections
    until a worker listens (nginx answered 502 meanwhile)."""
    while not _takes_connections(front.socket):
        if granian.poll() is not None:
            return False
        time.sleep(0.05)
    return True


def _takes_connections(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:  # not there yet, or not listening
            return False
    return True


def _stop(child: subprocess.Popen, signum: int) -> None:
    """Signal ``child`` unless it has stopped, and wait for it; kill it if it
    outlives the workers' own kill timeout."""
    if child.poll() is None:
        child.send_signal(signum)
    try:
        child.wait(timeout=WORKERS_KILL_TIMEOUT_SECONDS * 2)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _stop_outboxes(outboxes: list[subprocess.Popen]) -> None:
    """Interrupt each worker as Ctrl-C would, so that it hands back the messages
    it claimed and did not try; kill one that does not stop in time."""
    for outbox in outboxes:
        outbox.send_signal(signal.SIGINT)
    for outbox in outboxes:
        try:
            outbox.wait(timeout=WORKERS_KILL_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            outbox.kill()
            outbox.wait()
