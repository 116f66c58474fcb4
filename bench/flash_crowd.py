"""The flash crowd: thousands of delegates book in the same minute.

One command, run from the repository (after `make install`):

    .venv/bin/python bench/flash_crowd.py

It makes a PostgreSQL database of its own, loads the demo conference with
3,000 delegates holding API tokens, serves Majlis as in production
(`majlis serve`, production settings, the outbox worker sending to a local
SMTP sink), and drives it from a separate load generator (bench/loadgen.py)
over 64 keep-alive connections. Around the crowd it measures, in the same run:

(a) the floor of the stack: a constant JSON answer (/api/v1/health/live) from
    the same server, no database;
(b) the raw database: the same booking transactions issued straight through
    psycopg with the same concurrency (bench/raw_db.py);

then a steady run at a quarter of the crowd's rate, and the crowd again over
two server processes on two ports. After each crowd it checks every booking
rule on the data (bench/rules.py) and fails loudly if one is broken.
Results: a JSON file and a summary on the terminal (docs/BENCHMARKS.md).
"""

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import psycopg
from rules import check_rules

ROOT = Path(__file__).resolve().parent.parent
DEMO_SLUG = "child-labour-2026"
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent


def _server_group(process: psutil.Process) -> str:
    """The outbox workers that `majlis serve` starts beside Granian are
    counted apart: they send the crowd's email, work the requests wait for
    only through the CPU it takes."""
    with contextlib.suppress(psutil.Error):
        if process.cmdline()[-2:] == ["majlis.cli", "outbox"]:
            return "outbox"
    return "server"


@dataclass
class Sample:
    """CPU seconds per group of processes, and the peak memory of each worker."""

    cpu: dict[str, float] = field(default_factory=dict)
    worker_peak_rss: dict[int, int] = field(default_factory=dict)
    machine_busy: float = 0.0
    machine_total: float = 0.0


class Sampler(threading.Thread):
    """Samples processes every 100 ms, so processes that end mid-phase still count."""

    def __init__(
        self,
        servers: list[psutil.Process],
        loadgen: psutil.Process,
        mail_sink: psutil.Process | None,
    ) -> None:
        super().__init__(daemon=True)
        self.servers = servers
        self.loadgen = loadgen
        self.mail_sink = mail_sink
        self.stop_event = threading.Event()
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.peak_rss: dict[int, int] = {}
        self.started = time.time()
        self.cpu_before = psutil.cpu_times()

    def groups(self) -> list[tuple[str, psutil.Process]]:
        found: list[tuple[str, psutil.Process]] = []
        for server in self.servers:
            with contextlib.suppress(psutil.NoSuchProcess):
                found += [
                    (_server_group(p), p) for p in [server, *server.children(True)]
                ]
        for process in psutil.process_iter(["name"]):
            if process.info["name"] in ("postgres", "postmaster"):
                found.append(("database", process))
        found.append(("load generator", self.loadgen))
        if self.mail_sink is not None:
            found.append(("mail sink", self.mail_sink))
        return found

    def take(self) -> None:
        for group, process in self.groups():
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    used = times.user + times.system
                    if process.pid not in self.first:
                        born_before = process.create_time() < self.started
                        self.first[process.pid] = used if born_before else 0.0
                    self.last[process.pid] = (group, used)
                    if (
                        group == "server"
                        and "granian" in " ".join(process.cmdline()[:2])
                        and process.parent()
                        and "granian" in " ".join(process.parent().cmdline()[:2])
                    ):
                        rss = process.memory_info().rss
                        self.peak_rss[process.pid] = max(
                            rss, self.peak_rss.get(process.pid, 0)
                        )
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue

    def run(self) -> None:
        while not self.stop_event.wait(0.1):
            self.take()

    def finish(self) -> Sample:
        self.stop_event.set()
        self.join()
        self.take()
        sample = Sample(worker_peak_rss=dict(self.peak_rss))
        for pid, (group, used) in self.last.items():
            sample.cpu[group] = sample.cpu.get(group, 0.0) + used - self.first[pid]
        after = psutil.cpu_times()
        total = sum(after) - sum(self.cpu_before)
        idle = (after.idle + after.iowait) - (
            self.cpu_before.idle + self.cpu_before.iowait
        )
        sample.machine_total = total
        sample.machine_busy = total - idle
        return sample


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="majlis-bench-"))
        self.database_url = args.database_url
        self.servers: list[subprocess.Popen] = []
        self.smtp: subprocess.Popen | None = None
        smtp_port = args.port + 25
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "MAJLIS_SECRET_KEY": secrets.token_urlsafe(40),
            "MAJLIS_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MAJLIS_DATA_DIR": str(self.workdir),
            "MAJLIS_EMAIL_HOST": "127.0.0.1",
            "MAJLIS_EMAIL_PORT": str(smtp_port),
            "MAJLIS_EMAIL_USE_TLS": "",
            "PYTHONPATH": str(ROOT),
        }
        self.smtp_port = smtp_port
        self.granian_settings: dict[str, int] = {}

    # -- the database ---------------------------------------------------------
    def make_database(self) -> None:
        server_url, _sep, name = self.database_url.rpartition("/")
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        self.run([str(BIN / "majlis"), "migrate", "--verbosity", "0"])
        self.run(
            [
                sys.executable,
                str(HERE / "prepare.py"),
                "--delegates",
                str(self.args.delegates),
                "--out",
                str(self.workdir / "plan.json"),
            ]
        )

    def reset_bookings(self) -> None:
        """Empty every booking, keep the delegates, sessions and tokens.

        TRUNCATE fires no row triggers, so the counters the triggers and the
        services keep are reset here by hand (the rule check finds them if not).
        """
        with psycopg.connect(self.database_url) as connection:
            connection.execute(
                "TRUNCATE bookings_bookingchange, bookings_booking,"
                " bookings_idempotencyrecord, outbox_outboxmessage CASCADE"
            )
            connection.execute(
                "UPDATE events_session SET seats_taken = 0, waitlist_length = 0"
            )
        # The sessions' rows carry the dead versions of every counter update.
        # The emptied tables are left as TRUNCATE leaves them, never analysed,
        # like the tables of a new conference's database: analysed while empty,
        # PostgreSQL would plan every look-up of the crowd as a scan of a tiny
        # table and keep that plan while the table grows (docs/BENCHMARKS.md).
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE events_session")

    def run(self, command: list[str]) -> None:
        subprocess.run(command, check=True, env=self.env, cwd=ROOT)

    # -- the servers ----------------------------------------------------------
    def start_smtp_sink(self) -> None:
        self.smtp = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Sink",
                "-l",
                f"127.0.0.1:{self.smtp_port}",
            ],
            env=self.env,
            # It stands in for the conference's mail relay, which runs on
            # another machine: here it takes only the CPU the crowd leaves,
            # in a scheduling group of its own at the lowest share, as
            # `majlis serve` places its outbox workers.
            preexec_fn=lambda: os.nice(19),
            start_new_session=True,
        )
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.smtp.pid}/autogroup").write_text("19")

    def start_servers(self, ports: list[int]) -> list[psutil.Process]:
        for port in ports:
            server = subprocess.Popen(
                [
                    str(BIN / "majlis"),
                    "serve",
                    "--no-migrate",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *(
                        ["--workers", str(self.args.workers)]
                        if self.args.workers
                        else []
                    ),
                    *(
                        ["--threads", str(self.args.threads)]
                        if self.args.threads
                        else []
                    ),
                ],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            self.servers.append(server)
            # One at a time: each copies the static files on start.
            wait_until_ready(port)
        processes = [psutil.Process(server.pid) for server in self.servers]
        wait_until_settled(processes)
        self.granian_settings = granian_settings(processes[0])
        return processes

    def stop_servers(self) -> None:
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            server.wait(timeout=60)
        self.servers = []

    def stop_all(self) -> None:
        self.stop_servers()
        if self.smtp is not None:
            self.smtp.terminate()
            self.smtp.wait(timeout=10)

    # -- the runs -------------------------------------------------------------
    def loadgen(
        self, processes: list[psutil.Process], mode: str, ports: list[int], *extra: str
    ) -> dict[str, Any]:
        out = self.workdir / f"{mode}-{time.monotonic_ns()}.json"
        command = [
            sys.executable,
            str(HERE / "loadgen.py"),
            mode,
            *[f"--target=127.0.0.1:{port}" for port in ports],
            "--clients",
            str(self.args.clients),
            "--out",
            str(out),
            *extra,
        ]
        generator = subprocess.Popen(command)
        sampler = Sampler(
            processes,
            psutil.Process(generator.pid),
            psutil.Process(self.smtp.pid) if self.smtp else None,
        )
        sampler.start()
        if generator.wait() != 0:
            raise SystemExit(f"the load generator failed: {command}")
        sample = sampler.finish()
        report = json.loads(out.read_text())
        report["cpu_seconds"] = sample.cpu
        report["machine_busy_seconds"] = sample.machine_busy
        report["machine_total_seconds"] = sample.machine_total
        report["worker_peak_rss_mb"] = sorted(
            round(rss / 2**20, 1) for rss in sample.worker_peak_rss.values()
        )
        return report

    def crowd(
        self, processes: list[psutil.Process], ports: list[int], *extra: str
    ) -> dict[str, Any]:
        self.reset_bookings()
        # The phase before may have saturated the machine and left the email
        # workers paused on a queue just emptied: a crowd starts on a machine
        # at rest, as a steady run does on one that has been steady.
        wait_until_settled(processes)
        report = self.loadgen(
            processes,
            "crowd",
            ports,
            f"--plan={self.workdir / 'plan.json'}",
            *extra,
        )
        report["ended_at"] = time.monotonic()
        # How far the outbox workers got while the crowd was served.
        report["email"] = self.email_by_status()
        report["rules"] = check_rules(
            self.database_url, report["bookings"], report["cancellations"]
        )
        report["answered_bookings"] = len(report.pop("bookings"))
        report["answered_cancellations"] = len(report.pop("cancellations"))
        return report

    def email_by_status(self) -> dict[str, int]:
        with psycopg.connect(self.database_url) as connection:
            return dict(
                connection.execute(
                    "SELECT status, count(*) FROM outbox_outboxmessage GROUP BY status"
                ).fetchall()
            )

    def email_drained(self, since: float, timeout: float = 600.0) -> float | None:
        """Seconds from ``since`` (the crowd's end) until the outbox workers
        have no message left waiting (they pause while a crowd keeps the CPU
        busy); ``None`` if some still wait after ``timeout``. Given-up
        messages count as done here; they are reported by status."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while time.monotonic() - since < timeout:
                row = connection.execute(
                    "SELECT count(*) FROM outbox_outboxmessage WHERE status = 'pending'"
                ).fetchone()
                if row and row[0] == 0:
                    return time.monotonic() - since
                time.sleep(0.5)
        return None

    def raw_database(self, mode: str) -> dict[str, Any]:
        self.reset_bookings()
        out = self.workdir / f"raw-{mode}.json"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "raw_db.py"),
                f"--mode={mode}",
                f"--plan={self.workdir / 'plan.json'}",
                f"--database-url={self.database_url}",
                f"--clients={self.args.clients}",
                f"--out={out}",
            ],
            check=True,
        )
        report = json.loads(out.read_text())
        report["rules"] = check_rules(self.database_url, report.pop("bookings"), [])
        return report


def granian_settings(server: psutil.Process) -> dict[str, int]:
    """The workers and threads per worker `majlis serve` started Granian with
    (`majlis serve`'s defaults when the bench does not say)."""
    for process in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            command = process.cmdline()
            if "--blocking-threads" in command:
                return {
                    "workers": int(command[command.index("--workers") + 1]),
                    "threads": int(command[command.index("--blocking-threads") + 1]),
                }
    return {}


def wait_until_settled(servers: list[psutil.Process], timeout: float = 60.0) -> None:
    """Until every process of the servers has stopped using CPU for a second:
    the outbox workers warm up at the lowest priority, and would otherwise
    still be at it in the first phases, which a real opening never sees
    (its workers started long before)."""
    deadline = time.monotonic() + timeout
    before: dict[int, float] = {}
    while time.monotonic() < deadline:
        now: dict[int, float] = {}
        for server in servers:
            with contextlib.suppress(psutil.NoSuchProcess):
                for process in [server, *server.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = process.cpu_times()
                        now[process.pid] = times.user + times.system
        if before and all(now[pid] - before.get(pid, 0.0) < 0.02 for pid in now):
            return
        before = now
        time.sleep(1.0)
    print(f"warning: the servers still used CPU after {timeout:.0f} s; going on")


def wait_until_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            url = f"http://127.0.0.1:{port}/api/v1/health/ready"
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def broken_rules(report: dict[str, Any]) -> list[str]:
    return [rule for rule, rows in report["rules"].items() if rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delegates", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--workers", type=int, help="worker processes (default: majlis serve's)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: majlis serve's)"
    )
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/majlis_bench"
    )
    parser.add_argument("--floor-seconds", type=float, default=8.0)
    parser.add_argument(
        "--only",
        choices=["crowd", "steady"],
        help="just the crowd, or the crowd then the steady run (for profiling)",
    )
    parser.add_argument("--out", default=str(HERE / "results" / "flash_crowd.json"))
    args = parser.parse_args()

    bench = Bench(args)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "postgresql": "",
        },
        "settings": {
            "delegates": args.delegates,
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
        },
    }
    failures: list[str] = []
    try:
        bench.make_database()
        with psycopg.connect(args.database_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()
            results["machine"]["postgresql"] = version[0] if version else ""
        bench.start_smtp_sink()
        port = args.port
        processes = bench.start_servers([port])
        results["settings"].update(bench.granian_settings)
        if args.only is None:
            results["floor"] = bench.loadgen(
                processes, "floor", [port], f"--seconds={args.floor_seconds}"
            )
        results["crowd"] = crowd = bench.crowd(processes, [port])
        failures += [f"crowd: {rule}" for rule in broken_rules(crowd)]
        crowd["email_drained_seconds"] = drained = bench.email_drained(
            crowd["ended_at"]
        )
        if drained is None:
            failures.append("crowd: its email was not all sent within 10 minutes")
        crowd["email_after"] = after = bench.email_by_status()
        if set(after) - {"sent"}:
            failures.append(f"crowd: email not all sent: {after}")
        if args.only is None:
            results["bookings_only"] = bookings = bench.crowd(
                processes, [port], "--no-reads"
            )
            failures += [f"bookings only: {rule}" for rule in broken_rules(bookings)]
            results["reads_only"] = bench.loadgen(
                processes,
                "floor",
                [port],
                f"--seconds={args.floor_seconds}",
                f"--path=/api/v1/events/{DEMO_SLUG}/sessions",
            )
        if args.only != "crowd":
            offered = crowd["requests_per_second"] / 4
            steady_delegates = max(64, int(args.delegates / 4))
            results["steady"] = steady = bench.crowd(
                processes,
                [port],
                f"--rate={offered:.1f}",
                f"--delegates={steady_delegates}",
            )
            failures += [f"steady: {rule}" for rule in broken_rules(steady)]
        bench.stop_servers()
        if args.only is None:
            for mode in ("function", "statements", "one-session"):
                results[f"raw_{mode}"] = raw = bench.raw_database(mode)
                failures += [f"raw {mode}: {rule}" for rule in broken_rules(raw)]
            processes = bench.start_servers([port, port + 1])
            results["scale_out"] = scaled = bench.crowd(processes, [port, port + 1])
            failures += [f"scale-out: {rule}" for rule in broken_rules(scaled)]
            bench.stop_servers()
    finally:
        bench.stop_all()
    for name in ("crowd", "steady", "scale_out"):
        if name in results and results[name]["errors"]:
            failures.append(f"{name}: {results[name]['errors']} errors")
    results["failures"] = failures
    for report in results.values():
        if isinstance(report, dict):
            report.pop("ended_at", None)  # a clock reading of this run only
    if "raw_function" in results:
        results["ratios"] = ratios_of(results)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(summary(results))
    shutil.rmtree(bench.workdir, ignore_errors=True)
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


def summary(results: dict[str, Any]) -> str:
    lines = [f"Flash crowd, {results['date']}, {results['machine']}"]
    for name in (
        "floor",
        "reads_only",
        "crowd",
        "bookings_only",
        "steady",
        "scale_out",
    ):
        if name not in results:
            continue
        report = results[name]
        lines.append(
            f"\n{name}: {report['wall_seconds']:.1f} s,"
            f" {report['requests_per_second']:.0f} req/s, errors {report['errors']}"
        )
        for kind, figures in report["kinds"].items():
            lines.append(
                f"  {kind:10} {figures['requests']:6} req {figures['per_second']:7.0f}/s"
                f"  p50 {figures['p50_ms']:6.1f}  p95 {figures['p95_ms']:6.1f}"
                f"  p99 {figures['p99_ms']:6.1f} ms  {figures['statuses']}"
            )
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in report["cpu_seconds"].items())
        lines.append(
            f"  CPU s: {cpu}; machine busy {report['machine_busy_seconds']:.1f}"
            f" of {report['machine_total_seconds']:.1f}"
        )
        lines.append(f"  worker peak RSS MB: {report['worker_peak_rss_mb']}")
        if "email" in report:
            lines.append(f"  email at the end, by status: {report['email']}")
        if report.get("email_drained_seconds") is not None:
            lines.append(
                f"  every email sent {report['email_drained_seconds']:.1f} s"
                " after the crowd"
            )
        if "rules" in report:
            lines.append(f"  rules broken: {broken_rules(report) or 'none'}")
    for mode in ("function", "statements", "one-session"):
        raw = results.get(f"raw_{mode}")
        if raw:
            lines.append(
                f"\nraw database ({mode}): {raw['transactions_per_second']:.0f} tx/s,"
                f" p50 {raw['p50_ms']:.1f} p99 {raw['p99_ms']:.1f} ms,"
                f" rules broken: {broken_rules(raw) or 'none'}"
            )
    ratios = results.get("ratios", {})
    if ratios:
        lines.append("")
        lines += [f"{name}: {value:.1%}" for name, value in ratios.items()]
    return "\n".join(lines)


def ratios_of(results: dict[str, Any]) -> dict[str, float]:
    """Each figure over its reference from the same run."""
    floor = results["floor"]["requests_per_second"]
    raw = results["raw_function"]["transactions_per_second"]
    bookings = results["bookings_only"]["kinds"]["booking"]["per_second"]
    return {
        "booking req/s (bookings only) / floor (a)": bookings / floor,
        "booking req/s (bookings only) / raw database (b)": bookings / raw,
        "programme reads/s (reads only) / floor (a)": (
            results["reads_only"]["requests_per_second"] / floor
        ),
        "all requests/s (mixed crowd) / floor (a)": (
            results["crowd"]["requests_per_second"] / floor
        ),
    }


if __name__ == "__main__":
    main()
