from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from majlis.core.terminal import activate_terminal_language
from majlis.server.backups import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore the backup FILE made by `majlis backup` into the database of "
        "DATABASE_URL, which must be empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        try:
            database_restore(connections[options["database"]], options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Restored %(path)s.") % {"path": options["file"]})
