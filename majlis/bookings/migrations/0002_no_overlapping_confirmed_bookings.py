"""PostgreSQL refuses two confirmed bookings of one delegate whose times overlap.

The services already check this under the overlap-group lock; this constraint
is the last line of defence against any writer that skips them. SQLite has no
exclusion constraints: there, the write lock that every booking transaction
takes (transaction_mode IMMEDIATE) serialises the check instead.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_booking
  ADD CONSTRAINT booking_no_overlapping_confirmed
  EXCLUDE USING gist (
    participant_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
  ) WHERE (status = 'confirmed');
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlapping_confirmed;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
