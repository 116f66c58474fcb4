-- Lock the overlap group of p_session in id order, with the lock timeout;
-- with p_starts and p_ends, also the group it would join at those times (a
-- move). Returns the ids locked. lock_overlap_group() in
-- majlis/bookings/locking.py, for the Python engine.
--
-- The group is worked out before the lock is held, so a session moved in the
-- meantime could join it: after locking, the group is worked out again (each
-- statement reads what is committed by then) and any newcomer locked too.
-- Such a late lock breaks the id order, and PostgreSQL may then report a
-- deadlock, which the caller hears as "try again"; so does a group that keeps
-- changing.
CREATE OR REPLACE FUNCTION majlis_lock_overlap_group_v1(
    p_session bigint, p_starts timestamptz, p_ends timestamptz, p_lock_timeout text
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    v_event bigint;
    v_locked bigint[] := '{}';
    v_wanted bigint[];
    v_missing bigint[];
BEGIN
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    SELECT event_id INTO v_event FROM events_session WHERE id = p_session;
    FOR v_attempt IN 1..5 LOOP
        v_wanted := majlis_overlap_group_v2(v_event, p_session, NULL, NULL);
        IF p_starts IS NOT NULL THEN
            v_wanted := v_wanted
                || majlis_overlap_group_v2(v_event, p_session, p_starts, p_ends);
        END IF;
        SELECT coalesce(array_agg(DISTINCT id ORDER BY id), '{}') INTO v_missing
        FROM unnest(v_wanted) AS id WHERE NOT id = ANY (v_locked);
        IF cardinality(v_missing) = 0 THEN
            RETURN (SELECT array_agg(id ORDER BY id) FROM unnest(v_locked) AS id);
        END IF;
        PERFORM 1 FROM events_session WHERE id = ANY (v_missing) ORDER BY id FOR UPDATE;
        v_locked := v_locked || v_missing;
    END LOOP;
    RAISE EXCEPTION 'the overlap group of session % kept changing', p_session
        USING ERRCODE = 'lock_not_available';
END;
$$;
