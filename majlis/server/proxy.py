"""deploy/nginx.conf rendered for one run of Debian's nginx.

`majlis serve` on an address other machines reach runs nginx in front of its
Granian (docs/SECURITY.md, "Slow clients"); the tests and the flash-crowd
bench run it in front of their servers (majlis/testing/nginx.py). Each
replaces only the values of its run: the addresses to listen on, the upstream
servers, the static folder, and every path nginx writes to, moved into a
folder of the run's own. Everything else is the file as deployed.
"""

import ipaddress
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
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


def nginx_binary() -> str | None:
    """Debian's nginx, which lives in /usr/sbin (outside a user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def listen_addresses(host: str, port: int) -> list[str]:
    """What nginx's ``listen`` lines take for ``host`` and ``port``.

    ``::`` is every address, IPv4 ones included, as Granian listens there;
    nginx listens on IPv6 alone there, so the IPv4 addresses get a line of
    their own (their clients then have IPv4 addresses, not IPv4-mapped IPv6
    ones, for the rate limits)."""
    if ":" not in host:
        return [f"{host}:{port}"]
    if ipaddress.ip_address(host) == ipaddress.IPv6Address("::"):
        return [f"[::]:{port}", f"0.0.0.0:{port}"]
    return [f"[{host}]:{port}"]  # IPv6, written in brackets


def render_nginx_config(
    template: str,
    *,
    listen: list[str],
    upstreams: list[str],
    static_root: Path,
    prefix: Path,
    error_log: str,
    access_log: Path | None,
) -> str:
    """``template`` (deploy/nginx.conf) listening on ``listen`` (nginx's
    ``address:port``), in front of ``upstreams`` (``host:port`` or
    ``unix:path``), serving ``static_root``, its errors to ``error_log`` (a
    path or ``stderr``), its access log to ``access_log`` or none, writing
    nothing else outside ``prefix``."""
    text = template
    if os.geteuid() == 0:
        # The workers read the static files and temporary folders made by
        # this user, not by www-data.
        me = pwd.getpwuid(os.getuid()).pw_name
        text = _replace(r"^user\s+[^;]+;", f"user {me};", text)
    else:
        text = _replace(r"^user\s+[^;]+;\n", "", text)
    text = _replace(r"^pid\s+[^;]+;", f"pid {prefix / 'nginx.pid'};", text)
    text = _replace(r"^error_log\s+[^;]+;", f"error_log {error_log} warn;", text)
    if access_log is None:
        text = _replace(r"^([ \t]*access_log\s+)/[^;]+;", r"\g<1>off;", text)
    else:
        text = _replace(r"^([ \t]*access_log\s+)/[^\s;]+", rf"\g<1>{access_log}", text)
    # The server's listen lines become one per address asked for.
    listening = "".join(rf"\g<1>listen {address};\n" for address in listen)
    text = _replace(r"^([ \t]*)listen\s+[^;]+;\n([ \t]*listen\s+[^;]+;\n)*",
                    listening, text)  # fmt: skip
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


def nginx_check(
    binary: str, config: Path, prefix: Path
) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``config``: its exit code and what it said."""
    return subprocess.run(  # noqa: S603
        [binary, "-t", "-p", str(prefix), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )


def nginx_in_foreground(binary: str, config: Path, prefix: Path) -> list[str]:
    """The command that runs nginx with ``config`` until it is signalled
    (SIGQUIT: its workers finish the requests in flight, then exit)."""
    return [
        *(binary, "-p", str(prefix), "-e", "stderr", "-c", str(config)),
        *("-g", "daemon off;"),
    ]


class NginxRefused(RuntimeError):
    """``nginx -t`` refused the rendered configuration."""

    def __init__(self, errors: str) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class FrontProxy:
    """nginx answering on an address, in front of Granian listening on a Unix
    socket in ``folder``, which only this user can open: nothing reaches
    Granian but through nginx. nginx's errors go to the serving process's
    error output; its access log is off (Granian's, redacted, is
    MAJLIS_ACCESS_LOG's)."""

    binary: str
    folder: Path

    @property
    def socket(self) -> Path:
        return self.folder / "granian.sock"

    @property
    def command(self) -> list[str]:
        return nginx_in_foreground(self.binary, self.folder / "nginx.conf", self.folder)

    @classmethod
    def prepare(cls, binary: str, listen: list[str], static_root: Path) -> "FrontProxy":
        """Render and check the configuration in a new private folder (which
        the caller removes once nginx has stopped)."""
        front = cls(binary, Path(tempfile.mkdtemp(prefix="majlis-front-")))
        config = front.folder / "nginx.conf"
        config.write_text(
            render_nginx_config(
                DEPLOY_CONFIG.read_text(),
                listen=listen,
                upstreams=[f"unix:{front.socket}"],
                static_root=static_root,
                prefix=front.folder,
                error_log="stderr",
                access_log=None,
            )
        )
        checked = nginx_check(binary, config, front.folder)
        if checked.returncode != 0:
            front.remove()
            raise NginxRefused(checked.stderr.strip())
        return front

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
