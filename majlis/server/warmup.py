"""Paying a process's first-use costs when it starts, not in a crowd."""

import gc
import os

# Set by `majlis serve` for the processes it starts (Granian's workers and the
# email workers), which serve until they are stopped.
LONG_LIVED_PROCESS = "MAJLIS_LONG_LIVED_PROCESS"


def warm_up() -> None:
    """Import every view and load every catalogue now.

    A server worker or an outbox worker would otherwise pay for it (about
    0.6 s of CPU) on its first request or message: in the middle of the crowd
    that woke it. The PDF and spreadsheet libraries are left out on purpose:
    they doubled this and added 29 MB to every process, for the few requests
    of the back office that print or export.
    """
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the property imports the views)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sessions")
    if os.environ.get(LONG_LIVED_PROCESS) == "1":
        _freeze_what_started()


def _freeze_what_started() -> None:
    # What a process loaded to start lives as long as the process: left to the
    # collector, each full collection walked all of it again, 62-68 ms with
    # every thread of the process stopped (docs/BENCHMARKS.md in git before 2026-12-05, item 22).
    # Frozen objects are never collected, even once they are garbage: so only
    # in a process that serves until it stops, not in one that imports the
    # WSGI module or runs the outbox command in passing (a test run), and
    # after a collection, so that no garbage is frozen with them.
    gc.collect()
    gc.freeze()
