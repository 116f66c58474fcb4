-- A session's new times, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Refused ('conflict', with how many delegates) when a delegate confirmed
-- here would then hold a seat in another session at the same time: nobody's
-- seat is cancelled behind their back. The refusal is read without a lock
-- and again under it. Moves queue on the event's row (two moves into the
-- same free slot would otherwise each see no clash), then the session's
-- overlap group and the one it joins are locked in id order. The session's
-- times and its bookings' copies of them move together, and every live
-- booking's delegate is told, in id order. The caller refuses a session
-- that ends before it starts.
CREATE OR REPLACE FUNCTION majlis_move_session_v1(
    p_session bigint,
    p_starts timestamptz,
    p_ends timestamptz,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, delegates integer)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_delegates integer;
    v_event bigint;
    v_locked boolean := false;
    v_now timestamptz;
    v_live record;
BEGIN
  BEGIN
    SELECT event_id INTO v_event FROM events_session WHERE id = p_session;
    LOOP
        SELECT count(DISTINCT other.participant_id) INTO r_delegates
        FROM bookings_booking here
        JOIN bookings_booking other ON other.participant_id = here.participant_id
        JOIN events_session o ON o.id = other.session_id
        WHERE here.session_id = p_session AND here.status = 'confirmed'
          AND other.status = 'confirmed' AND other.session_id <> p_session
          AND o.event_id = v_event
          AND o.starts_at < p_ends AND p_starts < o.ends_at;
        IF r_delegates > 0 THEN
            r_outcome := 'conflict';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        PERFORM set_config('lock_timeout', p_lock_timeout, true);
        PERFORM 1 FROM events_event WHERE id = v_event FOR UPDATE;
        PERFORM majlis_lock_overlap_group_v1(p_session, p_starts, p_ends, p_lock_timeout);
        v_locked := true;
    END LOOP;
    UPDATE events_session
    SET starts_at = p_starts, ends_at = p_ends, schedule_version = schedule_version + 1
    WHERE id = p_session;
    UPDATE bookings_booking SET starts_at = p_starts, ends_at = p_ends
    WHERE session_id = p_session;
    v_now := clock_timestamp();
    FOR v_live IN
        SELECT id, status FROM bookings_booking
        WHERE session_id = p_session AND status IN ('confirmed', 'waitlisted')
        ORDER BY id
    LOOP
        PERFORM majlis_notify_v2(
            v_live.id, 'booking_moved', jsonb_build_object('status', v_live.status),
            v_now);
    END LOOP;
    r_outcome := 'moved';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- undone, the locks included
  END;
  RETURN QUERY SELECT r_outcome, r_delegates;
END;
$$;
