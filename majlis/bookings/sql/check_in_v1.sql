-- A check-in at the door, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Only a confirmed booking is checked in, and only while checked_in_at is
-- empty, so a second scan (or two doors at once) learns it was already done:
-- 'checked_in', 'already_checked_in', 'waitlisted' or 'not_booked', with the
-- booking and the seats left. Touches no seat, so it locks no session.
CREATE OR REPLACE FUNCTION majlis_check_in_v1(
    p_session bigint,
    p_participant bigint,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, booking_id bigint, seats_free integer)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_seats integer;
    v_booking record;
    v_now timestamptz;
BEGIN
    SELECT b.id, b.status INTO v_booking
    FROM bookings_booking b
    WHERE b.participant_id = p_participant AND b.session_id = p_session
      AND b.status IN ('confirmed', 'waitlisted')
    ORDER BY b.id LIMIT 1;
    SELECT greatest(s.capacity - s.seats_taken, 0) INTO r_seats
    FROM events_session s WHERE s.id = p_session;
    IF v_booking.id IS NULL THEN
        r_outcome := 'not_booked';
    ELSIF v_booking.status = 'waitlisted' THEN
        r_outcome := 'waitlisted';
    ELSE
        v_now := clock_timestamp();
        UPDATE bookings_booking
        SET checked_in_at = v_now, checked_in_by_id = p_actor_user
        WHERE id = v_booking.id AND checked_in_at IS NULL;
        IF FOUND THEN
            PERFORM majlis_record_change_v2(
                v_booking.id, 'checked_in', v_booking.status, v_booking.status, v_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            r_outcome := 'checked_in';
        ELSE
            r_outcome := 'already_checked_in';
        END IF;
    END IF;
    RETURN QUERY SELECT r_outcome, v_booking.id, r_seats;
END;
$$;
