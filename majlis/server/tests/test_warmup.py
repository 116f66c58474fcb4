"""A server or outbox worker, once warmed up, leaves what it loaded to start
out of the garbage collector's full collections, and has not loaded the
libraries only the back office's printing and spreadsheets need."""

import json
import os
import subprocess
import sys
import textwrap


def _warmed_up_counts(**environment: str) -> dict:
    # In a process of its own: freezing the test runner's objects would change
    # how every later test's garbage is collected.
    script = textwrap.dedent(
        """
        import gc, json, sys
        import django
        django.setup()
        from majlis.server.warmup import warm_up
        tracked_before = len(gc.get_objects())
        warm_up()
        print(json.dumps({
            "tracked_before": tracked_before,
            "frozen": gc.get_freeze_count(),
            "still_collected": len(gc.get_objects()),
            "loaded": sorted(
                name for name in ("weasyprint", "openpyxl") if name in sys.modules
            ),
        }))
        """
    )
    answer = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            **environment,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_a_long_lived_process_hands_what_it_loaded_to_the_permanent_generation():
    counts = _warmed_up_counts(MAJLIS_LONG_LIVED_PROCESS="1")
    assert counts["frozen"] >= counts["tracked_before"] > 10_000
    assert counts["still_collected"] < counts["frozen"] / 100
    assert counts["loaded"] == [], "imported where a PDF or a workbook is made"


def test_a_process_that_warms_up_in_passing_freezes_nothing():
    # A test run imports the WSGI module and runs the outbox command in
    # process: frozen, its objects would never be collected.
    counts = _warmed_up_counts()
    assert counts["frozen"] == 0
    assert counts["loaded"] == []
