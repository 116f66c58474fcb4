from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from majlis.core.terminal import activate_terminal_language
from majlis.server.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the whole database to FILE (PostgreSQL: "
        "pg_dump's custom format; SQLite: the database file), while Majlis serves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        try:
            database_backup(connections[options["database"]], options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Backed up to %(path)s.") % {"path": options["file"]})
