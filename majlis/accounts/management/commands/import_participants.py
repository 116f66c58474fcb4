from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.accounts.importing import (
    ImportTooLarge,
    import_size_check,
    read_delegates,
)
from majlis.accounts.services import (
    IMPORT_COLUMNS,
    ImportRejected,
    participant_import_rows,
)
from majlis.core.exceptions import NotFound
from majlis.core.terminal import activate_terminal_language
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
        activate_terminal_language()
        try:
            event = event_get(slug=options["event"])
        except NotFound as error:
            raise CommandError(
                _("No event has the slug %(slug)s.") % {"slug": options["event"]}
            ) from error
        path: Path = options["file"]
        try:
            # The size first: a file above the limit is never read in.
            import_size_check(path.stat().st_size)
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        except ImportTooLarge as error:
            raise CommandError(
                _("Nothing was imported: %(reason)s") % {"reason": error.message}
            ) from error
        try:
            rows = read_delegates(path.name, content)
        except ImportTooLarge as error:
            raise CommandError(
                _("Nothing was imported: %(reason)s") % {"reason": error.message}
            ) from error
        except ImportRejected as error:
            raise CommandError(
                _("Nothing was imported; fix these rows first:\n%(rows)s")
                % {"rows": error.message}
            ) from error
        try:
            count = participant_import_rows(event=event, rows=rows).imported
        except ImportRejected as error:
            raise CommandError(
                _("Nothing was imported; fix these rows first:\n%(rows)s")
                % {"rows": error.message}
            ) from error
        self.stdout.write(
            ngettext(
                "Imported %(count)d delegate into %(event)s.",
                "Imported %(count)d delegates into %(event)s.",
                count,
            )
            % {"count": count, "event": event.slug}
        )
