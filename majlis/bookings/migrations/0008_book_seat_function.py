"""The one-statement booking for PostgreSQL (docs/adr/0002-one-statement-booking.md).

The function's text lives in majlis/bookings/sql/; a changed function gets a
new file and a new migration, so that this one always builds what it built.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql" / "book_seat_v1.sql"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL.read_text())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS majlis_book_seat_v1("
            "bigint, text, text, bigint, text, jsonb, text, boolean, text, text, text, text)"
        )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0007_no_show_actions")]
    operations = [migrations.RunPython(create, drop)]
