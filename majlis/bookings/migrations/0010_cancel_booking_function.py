"""The one-statement cancellation for PostgreSQL
(docs/adr/0004-one-statement-cancellation.md).

The functions' text lives in majlis/bookings/sql/; a changed function gets a
new file and a new migration, so that this one always builds what it built.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql" / "cancel_booking_v1.sql"

DROP = """
DROP FUNCTION IF EXISTS majlis_cancel_booking_v1(bigint, boolean, text, text, integer, bigint);
DROP FUNCTION IF EXISTS majlis_notify_v1(bigint, text, jsonb, timestamptz);
DROP FUNCTION IF EXISTS majlis_record_change_v1(
    bigint, text, text, text, timestamptz, text, integer, bigint);
DROP FUNCTION IF EXISTS majlis_overlap_group_v1(bigint, bigint);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL.read_text())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0009_waitlist_length_trigger"),
        ("outbox", "0001_initial"),
        ("accounts", "0002_scope_api_keys_and_expire_tokens"),
    ]
    operations = [migrations.RunPython(create, drop)]
