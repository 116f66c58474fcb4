"""A cancelled booking's access needs no longer change on PostgreSQL either:
majlis_update_access_needs_v2 answers 'cancelled' and writes nothing, and
replaces version 1. The text is kept here (majlis/bookings/sql/README.md)."""

from django.db import migrations

FUNCTIONS = {
    "majlis_update_access_needs_v2": "-- A booking's access needs, in one statement: see docs/adr/0005-one-engine-per-database.md.\n-- Version 2 (migration bookings/0012): a cancelled booking's needs no longer\n-- change ('cancelled', nothing written), as the Python engine refuses them.\n--\n-- Touches no seat, so it locks only the booking's row; the change is audited\n-- (access_needs, from and to the booking's status). The caller checks the\n-- needs and trims the note.\nCREATE OR REPLACE FUNCTION majlis_update_access_needs_v2(\n    p_booking bigint,\n    p_needs jsonb,\n    p_note text,\n    p_actor_kind text,\n    p_actor_user integer,\n    p_actor_api_key bigint\n) RETURNS text LANGUAGE plpgsql AS $$\nDECLARE\n    v_status text;\nBEGIN\n    SELECT status INTO v_status FROM bookings_booking\n    WHERE id = p_booking\n    FOR UPDATE;\n    IF NOT FOUND THEN\n        RETURN 'not_found';\n    END IF;\n    IF v_status = 'cancelled' THEN\n        RETURN 'cancelled';\n    END IF;\n    UPDATE bookings_booking SET access_needs = p_needs, access_needs_note = p_note\n    WHERE id = p_booking;\n    PERFORM majlis_record_change_v2(\n        p_booking, 'access_needs', v_status, v_status, clock_timestamp(),\n        p_actor_kind, p_actor_user, p_actor_api_key);\n    RETURN 'updated';\nEND;\n$$;\n",
}

DROP_REPLACED = "DROP FUNCTION IF EXISTS majlis_update_access_needs_v1(bigint, jsonb, text, text, integer, bigint)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for text in FUNCTIONS.values():
        schema_editor.execute(text, params=None)
    schema_editor.execute(DROP_REPLACED)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    import importlib

    earlier = importlib.import_module(
        "majlis.bookings.migrations.0011_one_engine_per_database"
    )
    schema_editor.execute(
        earlier.FUNCTIONS["majlis_update_access_needs_v1"], params=None
    )
    schema_editor.execute(
        "DROP FUNCTION majlis_update_access_needs_v2(bigint, jsonb, text, text, integer, bigint)"
    )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0011_one_engine_per_database")]
    operations = [migrations.RunPython(create, drop)]
