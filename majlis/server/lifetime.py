"""Processes that die with their parent, so that a `majlis serve` killed with
SIGKILL (or by the kernel's out-of-memory killer) leaves nothing serving.

Linux sends a process its *parent-death signal* when the thread that forked
it exits (``prctl(PR_SET_PDEATHSIG)``); a dead process's children are
otherwise given to init and go on, Granian keeping the port and the email
workers their sessions. The setting is not inherited by the children a
process forks, so each generation asks for it: `majlis serve` for Granian and
the email workers (in the child, before it runs the program), each Granian
worker for itself as it loads the application. Elsewhere than on Linux,
nothing is asked; a service manager (deploy/majlis.service) stops the whole
group there too.
"""

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
# Granian names the processes it starts for its workers so.
GRANIAN_WORKER_NAME = "granian-worker"


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    # The C library is already loaded in every Python process on Linux.
    return ctypes.CDLL(None, use_errno=True).prctl


def _ask(prctl: Callable[..., int], signum: int, parent: int) -> None:
    if prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died before the request: then its signal is
    # never sent, and the process was already given to another parent.
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def dying_with_this_process(signum: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child started from this
    process (call from its main thread, whose exit Linux watches) receives
    ``signum`` when this process dies; None where Linux cannot tell.

    What it calls is looked up here, before the fork, so that the child only
    makes the system call."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def ask() -> None:
        _ask(prctl, signum, parent)

    return ask


def granian_worker_dies_with_granian() -> None:
    """In a worker process of Granian: be killed when Granian dies.

    Granian stops its workers itself when it stops, even on SIGTERM; a
    Granian killed outright would leave them serving, and a respawned one
    would find the port still taken. SIGKILL, since a worker can miss a stop
    signal that lands on one of Granian's own threads (serve.py) and no one
    is left to kill it then; a booking cut off rolls back and is retried with
    its Idempotency-Key."""
    if multiprocessing.current_process().name != GRANIAN_WORKER_NAME:
        return
    parent = multiprocessing.parent_process()
    prctl = _prctl()
    if parent is None or parent.pid is None or prctl is None:
        return
    _ask(prctl, signal.SIGKILL, parent.pid)
