from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from majlis.server.backups import database_backup
from majlis.server.management.database_file import DatabaseFileCommand


class Command(DatabaseFileCommand):
    help = (
        "Write a consistent copy of the whole database to FILE (PostgreSQL: "
        "pg_dump's custom format; SQLite: the database file), while Majlis serves."
    )

    def act(self, connection: BaseDatabaseWrapper, file: Path) -> str:
        database_backup(connection, file)
        return _("Backed up to %(path)s.") % {"path": file}
