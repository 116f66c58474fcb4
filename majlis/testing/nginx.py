"""Debian's nginx with deploy/nginx.conf, for the tests and the flash-crowd bench.

The shipped file is rendered with the values of a run (the port to listen on,
the upstream servers, the static folder) and every path nginx writes to moved
into a temporary prefix, then nginx runs in the foreground until stopped.
Everything else is the file as deployed.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
TEMPORARY_FILES = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class ConfigShapeError(ValueError):
    """deploy/nginx.conf no longer has a directive the rendering replaces."""


def _replace(pattern: str, new: str, text: str, *, count: int = 1) -> str:
    rendered, found = re.subn(pattern, new, text, flags=re.MULTILINE)
    if found != count:
        raise ConfigShapeError(
            f"expected {count} match(es) of {pattern!r} in deploy/nginx.conf,"
            f" found {found}"
        )
    return rendered


def nginx_binary() -> str:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin") or "nginx"


def render_nginx_config(
    template: str,
    *,
    port: int,
    upstreams: list[str],
    static_root: Path,
    prefix: Path,
) -> str:
    """``template`` (deploy/nginx.conf) listening on 127.0.0.1:``port``, in
    front of ``upstreams`` (host:port), serving ``static_root``, writing only
    under ``prefix``."""
    text = template
    if os.geteuid() == 0:
        # The workers read the static files and temporary folders made by
        # this user, not by www-data.
        me = pwd.getpwuid(os.getuid()).pw_name
        text = _replace(r"^user\s+[^;]+;", f"user {me};", text)
    else:
        text = _replace(r"^user\s+[^;]+;\n", "", text)
    text = _replace(r"^pid\s+[^;]+;", f"pid {prefix / 'nginx.pid'};", text)
    text = _replace(
        r"^error_log\s+[^;]+;", f"error_log {prefix / 'error.log'} warn;", text
    )
    text = _replace(
        r"^([ \t]*access_log\s+)/[^\s;]+", rf"\g<1>{prefix / 'access.log'}", text
    )
    # Every listen line of the server becomes one on the loopback address.
    text = _replace(r"^([ \t]*)listen\s+[^;]+;\n([ \t]*listen\s+[^;]+;\n)*",
                    rf"\g<1>listen 127.0.0.1:{port};\n", text)  # fmt: skip
    text = _replace(r"^([ \t]*alias\s+)[^;]+;", rf"\g<1>{static_root}/;", text)
    # The upstream's servers: lines ending in ';' (a server block opens '{').
    first_server = re.search(r"^([ \t]*)server\s+\S+([^;{\n]*);\n", text, re.MULTILINE)
    if first_server is None:
        raise ConfigShapeError("no upstream server in deploy/nginx.conf")
    indent, parameters = first_server.group(1), first_server.group(2)
    servers = "".join(f"{indent}server {up}{parameters};\n" for up in upstreams)
    text = _replace(
        r"^([ \t]*server\s+\S+[^;{\n]*;\n)+", servers.replace("\\", "\\\\"), text
    )
    temporary = "".join(
        f"    {kind}_temp_path {prefix / kind};\n" for kind in TEMPORARY_FILES
    )
    return _replace(r"^http \{\n", f"http {{\n{temporary}", text)


def nginx_check(config: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``config``: its exit code and what it said."""
    return subprocess.run(  # noqa: S603
        [nginx_binary(), "-t", "-p", str(prefix), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
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
            port=port,
            upstreams=upstreams,
            static_root=static_root,
            prefix=prefix,
        )
    )
    checked = nginx_check(config, prefix)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused {config}:\n{checked.stderr}")
    process = subprocess.Popen(  # noqa: S603
        [
            nginx_binary(),
            "-p",
            str(prefix),
            "-e",
            "stderr",
            "-c",
            str(config),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
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
