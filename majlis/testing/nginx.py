"""Debian's nginx with deploy/nginx.conf, for the tests and the flash-crowd
bench: rendered for the run (majlis/server/proxy.py), on a loopback port,
logging into its prefix, in the foreground until stopped."""

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from majlis.server.proxy import (
    DEPLOY_CONFIG,
    nginx_binary,
    nginx_check,
    nginx_in_foreground,
    render_nginx_config,
)


@contextmanager
def nginx_serving(
    *, port: int, upstreams: list[str], static_root: Path, prefix: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground with the rendered deploy/nginx.conf, answering
    on ``port`` until the block ends; stopped then, its prefix left for its logs."""
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(
        render_nginx_config(
            DEPLOY_CONFIG.read_text(),
            listen=[f"127.0.0.1:{port}"],
            upstreams=upstreams,
            static_root=static_root,
            prefix=prefix,
            error_log=str(prefix / "error.log"),
            access_log=prefix / "access.log",
        )
    )
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("no nginx: scripts/install-system-deps installs it")
    checked = nginx_check(binary, config, prefix)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused {config}:\n{checked.stderr}")
    process = subprocess.Popen(  # noqa: S603
        nginx_in_foreground(binary, config, prefix), stdout=subprocess.DEVNULL
    )
    try:
        _wait_for_port(port, process)
        yield process
    finally:
        # SIGQUIT: the workers finish the requests in flight, then exit.
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped at once (exit {process.returncode})")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on port {port}")
