"""The ``majlis`` command: Django's management commands, with friendlier names.

``majlis serve``, ``majlis demo``, ``majlis import-participants FILE --event SLUG``,
``majlis apikey create --name NAME``, ``majlis outbox``, ``majlis groups plan
ROSTER.csv --tables T``; any other Django command works too (``majlis
migrate``, ``majlis createsuperuser``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(args)
    except KeyboardInterrupt:
        # Ctrl-C, or `majlis serve` stopping a worker that is still starting:
        # a stop asked for, not an error to report with a traceback.
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
