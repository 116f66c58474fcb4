import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from majlis.accounts.services import (
    IMPORT_COLUMNS,
    ImportRejected,
    participant_import_rows,
)
from majlis.core.exceptions import NotFound
from majlis.events.selectors import event_get


class Command(BaseCommand):
    help = (
        "Import registered delegates from a CSV file with the columns "
        + ", ".join(IMPORT_COLUMNS)
        + ". A bad row names its line and reason, and then nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--event", required=True, help="The event's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            event = event_get(slug=options["event"])
        except NotFound as error:
            raise CommandError(
                f"No event with the slug {options['event']!r}."
            ) from error
        path: Path = options["file"]
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = {"email", "name"} - set(reader.fieldnames or [])
                if missing:
                    raise CommandError(
                        "line 1: the header lacks the column(s) "
                        + ", ".join(sorted(missing))
                    )
                rows = [
                    (
                        reader.line_num,
                        {k: (v or "").strip() for k, v in row.items() if k},
                    )
                    for row in reader
                ]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            count = participant_import_rows(event=event, rows=rows)
        except ImportRejected as error:
            raise CommandError(
                f"Nothing was imported; fix these rows first:\n{error.message}"
            ) from error
        self.stdout.write(f"Imported {count} delegates into {event.slug}.")
