"""Chores done now and then by a process that already runs all the time (the
outbox workers of ``majlis serve``), so that no timer needs setting up.

Each app registers its chores from its ``AppConfig.ready``; the worker, in a
layer above, runs them, knowing none of the apps. A chore is quick, safe to
run by several workers at once, and returns how many rows it removed.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

# How often a worker runs the chores, at most.
HOUSEKEEPING_SECONDS = 300.0

_CHORES: dict[str, Callable[[], int]] = {}


def register_chore(name: str, chore: Callable[[], int]) -> None:
    _CHORES[name] = chore


def run_chores() -> dict[str, int]:
    """Run every registered chore; one that fails is logged and the others
    still run (it is tried again next time). Returns what each removed."""
    done: dict[str, int] = {}
    for name, chore in _CHORES.items():
        try:
            done[name] = chore()
        except Exception:  # a chore must never stop the worker that runs it
            logger.exception("housekeeping: %s failed", name)
    return done
