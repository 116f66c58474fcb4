"""A WSGI application for test_balancing, served by two Granian workers: it
answers with the pid of the worker, and ``/hold`` makes that worker hold 20
more sockets open, as 20 more connections would."""

import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from majlis.core.balancing import BALANCE_CONNECTIONS, ConnectionBalancer

held: list[socket.socket] = []


def answer_with_pid(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/hold":
        held.extend(socket.socket() for _ in range(20))
    elif environ["PATH_INFO"] == "/release":
        while held:
            held.pop().close()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]


application = ConnectionBalancer(answer_with_pid, Path(os.environ[BALANCE_CONNECTIONS]))
application.start()
