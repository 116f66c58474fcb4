-- A booking's access needs, in one statement: see docs/adr/0005-one-engine-per-database.md.
-- Version 2 (migration bookings/0012): a cancelled booking's needs no longer
-- change ('cancelled', nothing written), as the Python engine refuses them.
--
-- Touches no seat, so it locks only the booking's row; the change is audited
-- (access_needs, from and to the booking's status). The caller checks the
-- needs and trims the note.
CREATE OR REPLACE FUNCTION majlis_update_access_needs_v2(
    p_booking bigint,
    p_needs jsonb,
    p_note text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
BEGIN
    SELECT status INTO v_status FROM bookings_booking
    WHERE id = p_booking
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF v_status = 'cancelled' THEN
        RETURN 'cancelled';
    END IF;
    UPDATE bookings_booking SET access_needs = p_needs, access_needs_note = p_note
    WHERE id = p_booking;
    PERFORM majlis_record_change_v2(
        p_booking, 'access_needs', v_status, v_status, clock_timestamp(),
        p_actor_kind, p_actor_user, p_actor_api_key);
    RETURN 'updated';
END;
$$;
