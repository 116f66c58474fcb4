from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from majlis.server.backups import database_restore
from majlis.server.management.database_file import DatabaseFileCommand


class Command(DatabaseFileCommand):
    help = (
        "Restore the backup FILE made by `majlis backup` into the database of "
        "DATABASE_URL, which must be empty."
    )

    def act(self, connection: BaseDatabaseWrapper, file: Path) -> str:
        database_restore(connection, file)
        return _("Restored %(path)s.") % {"path": file}
