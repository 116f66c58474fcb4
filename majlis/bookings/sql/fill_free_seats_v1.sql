-- Promote waiting delegates into the free seats of p_sessions, in the order
-- they joined: fill_free_seats() in majlis/bookings/services/changes.py, for
-- the Python engine. The caller holds the lock of p_group, the overlap group.
--
-- A promoted delegate gives up the seat they held in an overlapping session
-- (waiting meant "I would rather have this one"), which frees that seat in
-- turn. Each booking moves forward at most twice (waiting, confirmed,
-- cancelled), so the cascade ends. Every step writes its audit row and its
-- outbox message, and the counters.
CREATE OR REPLACE FUNCTION majlis_fill_free_seats_v1(
    p_sessions bigint[],
    p_group bigint[],
    p_now timestamptz,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_queue bigint[] := p_sessions;
    v_freed bigint;
    v_place record;
    v_waiting record;
    v_held record;
BEGIN
    WHILE cardinality(v_queue) > 0 LOOP
        v_freed := v_queue[1];
        v_queue := v_queue[2:];
        LOOP
            SELECT id, capacity, seats_taken, starts_at, ends_at INTO v_place
            FROM events_session WHERE id = v_freed;
            EXIT WHEN v_place.seats_taken >= v_place.capacity;
            -- Ids are given under the lock: the order of joining.
            SELECT id, participant_id INTO v_waiting
            FROM bookings_booking
            WHERE session_id = v_freed AND status = 'waitlisted'
            ORDER BY id LIMIT 1;
            EXIT WHEN NOT FOUND;
            FOR v_held IN
                SELECT b.id, b.session_id
                FROM bookings_booking b JOIN events_session o ON o.id = b.session_id
                WHERE b.participant_id = v_waiting.participant_id
                  AND b.status = 'confirmed'
                  AND b.session_id = ANY (p_group)
                  AND b.session_id <> v_freed
                  AND o.starts_at < v_place.ends_at AND v_place.starts_at < o.ends_at
                ORDER BY b.id
            LOOP
                UPDATE bookings_booking SET status = 'cancelled', cancelled_at = p_now
                WHERE id = v_held.id;
                PERFORM majlis_record_change_v2(
                    v_held.id, 'released_for_preferred', 'confirmed', 'cancelled',
                    p_now, p_actor_kind, p_actor_user, p_actor_api_key);
                UPDATE events_session SET seats_taken = seats_taken - 1
                WHERE id = v_held.session_id;
                PERFORM majlis_notify_v2(
                    v_held.id, 'booking_released',
                    jsonb_build_object('preferred', v_waiting.id), p_now);
                v_queue := v_queue || v_held.session_id;
            END LOOP;
            UPDATE bookings_booking SET status = 'confirmed', confirmed_at = p_now
            WHERE id = v_waiting.id;
            UPDATE events_session SET seats_taken = seats_taken + 1 WHERE id = v_freed;
            PERFORM majlis_record_change_v2(
                v_waiting.id, 'promoted', 'waitlisted', 'confirmed', p_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            PERFORM majlis_notify_v2(v_waiting.id, 'booking_promoted', '{}'::jsonb, p_now);
        END LOOP;
    END LOOP;
END;
$$;
