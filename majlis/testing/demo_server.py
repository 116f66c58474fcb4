"""Serve the demo conference as in production, on a fresh SQLite database in a
temporary folder, for the benchmarks and the screenshots."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def embedded_environment(data_dir: str) -> dict[str, str]:
    """The environment of a `majlis` command on a fresh SQLite database in
    ``data_dir``, with the local settings."""
    return {
        **os.environ,
        "MAJLIS_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "",
    }


@contextmanager
def demo_server(
    *,
    workers: int = 1,
    demo_args: tuple[str, ...] = (),
    serve_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Yield the base URL of a `majlis serve` of the demo; stop it afterwards."""
    port = free_port()
    majlis = str(Path(sys.executable).parent / "majlis")
    with tempfile.TemporaryDirectory() as data:
        env = embedded_environment(data)
        subprocess.run([majlis, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [majlis, "demo", *demo_args], env=env, check=True, stdout=subprocess.DEVNULL
        )
        server = subprocess.Popen(  # noqa: S603
            [
                majlis,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-outbox",
                *serve_args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/en/", seconds=180)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
