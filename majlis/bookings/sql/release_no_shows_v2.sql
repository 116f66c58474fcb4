-- Absent delegates' seats to the waiting list, in one statement: see
-- docs/adr/0005-one-engine-per-database.md. Version 2 (migration
-- bookings/0013): a seat given less than no_show_release_minutes ago
-- (promoted from the waiting list, or booked, after the start) is kept, as
-- every seat was until that long after the start; version 1 released it.
--
-- From no_show_release_minutes after the start ('too_early' before, with
-- that time, read without a lock and again under it): the overlap group is
-- locked in id order, every confirmed booking not checked in whose seat was
-- given (confirmed_at) at least no_show_release_minutes ago is released, in
-- id order (audited as released_no_show, with who did it, and messaged as a
-- cancellation), and the freed seats filled from the waiting list, cascade
-- included. Returns the released bookings' ids.
CREATE OR REPLACE FUNCTION majlis_release_no_shows_v2(
    p_session bigint,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, released bigint[], detail_when timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_released bigint[] := '{}';
    r_when timestamptz;
    v_locked boolean := false;
    v_group bigint[];
    v_now timestamptz;
    v_grace interval;
    v_absent record;
BEGIN
  BEGIN
    LOOP
        SELECT make_interval(mins => s.no_show_release_minutes),
               s.starts_at + make_interval(mins => s.no_show_release_minutes)
        INTO v_grace, r_when FROM events_session s WHERE s.id = p_session;
        v_now := clock_timestamp();
        IF v_now < r_when THEN
            r_outcome := 'too_early';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        v_group := majlis_lock_overlap_group_v1(p_session, NULL, NULL, p_lock_timeout);
        v_locked := true;
    END LOOP;
    FOR v_absent IN
        SELECT id FROM bookings_booking
        WHERE session_id = p_session AND status = 'confirmed' AND checked_in_at IS NULL
          AND confirmed_at <= v_now - v_grace
        ORDER BY id
    LOOP
        UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
        WHERE id = v_absent.id;
        PERFORM majlis_record_change_v2(
            v_absent.id, 'released_no_show', 'confirmed', 'cancelled', v_now,
            p_actor_kind, p_actor_user, p_actor_api_key);
        UPDATE events_session SET seats_taken = seats_taken - 1 WHERE id = p_session;
        PERFORM majlis_notify_v2(v_absent.id, 'booking_cancelled', '{}'::jsonb, v_now);
        r_released := r_released || v_absent.id;
    END LOOP;
    PERFORM majlis_fill_free_seats_v1(
        ARRAY[p_session], v_group, v_now, p_actor_kind, p_actor_user, p_actor_api_key);
    r_outcome := 'released';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- undone, the group's locks included
  END;
  RETURN QUERY SELECT r_outcome, r_released, r_when;
END;
$$;
