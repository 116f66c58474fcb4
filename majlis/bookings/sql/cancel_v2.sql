-- A cancellation, whole, in one statement: see docs/adr/0005-one-engine-per-database.md.
-- Version 2 (migration bookings/0011): every case is decided here.
--
-- Cancel the booking; when it held a seat, give the seat to the first
-- delegate waiting, whose seat at the same time goes to the first waiting
-- there, and so on (majlis_fill_free_seats_v1). Answers 'cancelled',
-- 'already_cancelled' (nothing written), 'not_found', or 'refused' with
-- booking_not_open or booking_closed and the time (p_enforce_window).
--
-- The refusals are read without a lock, each a fact of one committed moment;
-- a cancellation that passes locks the overlap group in id order
-- (majlis_lock_overlap_group_v1, which follows a session moved into it) and
-- is decided again under the lock, where a refusal rolls back, locks
-- included.
CREATE OR REPLACE FUNCTION majlis_cancel_v2(
    p_booking bigint,
    p_enforce_window boolean,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, refusal text, detail_when timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_refusal text;
    r_when timestamptz;
    v_b record;
    v_locked boolean := false;
    v_group bigint[];
    v_now timestamptz;
    v_closes timestamptz;
BEGIN
  BEGIN
    LOOP
        SELECT b.status, b.session_id, s.starts_at,
               e.booking_opens_at, e.booking_closes_at, e.is_demo
        INTO v_b
        FROM bookings_booking b
        JOIN events_session s ON s.id = b.session_id
        JOIN events_event e ON e.id = s.event_id
        WHERE b.id = p_booking;
        IF NOT FOUND THEN
            r_outcome := 'not_found';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        IF v_b.status NOT IN ('confirmed', 'waitlisted') THEN
            r_outcome := 'already_cancelled';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        -- Under the lock, times follow the order of changes.
        v_now := clock_timestamp();
        v_closes := coalesce(
            v_b.booking_closes_at, CASE WHEN v_b.is_demo THEN NULL ELSE v_b.starts_at END);
        IF p_enforce_window AND v_b.booking_opens_at IS NOT NULL
                AND v_now < v_b.booking_opens_at THEN
            r_outcome := 'refused';
            r_refusal := 'booking_not_open';
            r_when := v_b.booking_opens_at;
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        ELSIF p_enforce_window AND v_closes IS NOT NULL AND v_now >= v_closes THEN
            r_outcome := 'refused';
            r_refusal := 'booking_closed';
            r_when := v_closes;
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        v_group := majlis_lock_overlap_group_v1(v_b.session_id, NULL, NULL, p_lock_timeout);
        v_locked := true;
    END LOOP;

    UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
    WHERE id = p_booking;
    PERFORM majlis_record_change_v2(
        p_booking, 'cancelled', v_b.status, 'cancelled', v_now,
        p_actor_kind, p_actor_user, p_actor_api_key);
    IF v_b.status = 'confirmed' THEN
        UPDATE events_session SET seats_taken = seats_taken - 1
        WHERE id = v_b.session_id;
    END IF;
    PERFORM majlis_notify_v2(p_booking, 'booking_cancelled', '{}'::jsonb, v_now);
    IF v_b.status = 'confirmed' THEN
        PERFORM majlis_fill_free_seats_v1(
            ARRAY[v_b.session_id], v_group, v_now,
            p_actor_kind, p_actor_user, p_actor_api_key);
    END IF;
    r_outcome := 'cancelled';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- everything above is undone, the group's locks included
  END;
  RETURN QUERY SELECT r_outcome, r_refusal, r_when;
END;
$$;
