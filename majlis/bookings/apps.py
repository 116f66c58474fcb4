from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _drop_before_migrating(using: str = "default", **_kwargs: Any) -> None:
    from majlis.bookings.sqlite_triggers import drop_sqlite_triggers

    drop_sqlite_triggers(connections[using])


def _restore_after_migrating(using: str = "default", **_kwargs: Any) -> None:
    from majlis.bookings.sqlite_triggers import create_sqlite_triggers

    create_sqlite_triggers(connections[using])


class BookingsConfig(AppConfig):
    name = "majlis.bookings"
    label = "bookings"

    def ready(self) -> None:
        # SQLite's table rebuilds and its triggers do not mix: see sqlite_triggers.
        pre_migrate.connect(_drop_before_migrating, sender=self)
        post_migrate.connect(_restore_after_migrating, sender=self)
        from majlis.bookings import emails

        emails.register()
