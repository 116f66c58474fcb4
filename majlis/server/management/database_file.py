"""What `majlis backup` and `majlis restore` share: a FILE, a --database,
the terminal's language, and a BackupError said as a command error."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from majlis.core.terminal import activate_terminal_language
from majlis.server.backups import BackupError


class DatabaseFileCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        try:
            done = self.act(connections[options["database"]], options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(done)

    def act(self, connection: BaseDatabaseWrapper, file: Path) -> str:
        """Copy between the database and FILE; say what was done."""
        raise NotImplementedError
