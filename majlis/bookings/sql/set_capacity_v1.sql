-- A session's new capacity, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Refused below the confirmed seats ('below', with their count), read
-- without a lock and again under it; otherwise the overlap group is locked in
-- id order, the capacity written, and the seats it frees filled from the
-- waiting list, cascade included (majlis_fill_free_seats_v1). The caller
-- refuses a capacity below 1.
CREATE OR REPLACE FUNCTION majlis_set_capacity_v1(
    p_session bigint,
    p_capacity integer,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, seats_taken integer)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_seats integer;
    v_locked boolean := false;
    v_group bigint[];
BEGIN
  BEGIN
    LOOP
        SELECT s.seats_taken INTO r_seats FROM events_session s WHERE s.id = p_session;
        IF p_capacity < r_seats THEN
            r_outcome := 'below';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        v_group := majlis_lock_overlap_group_v1(p_session, NULL, NULL, p_lock_timeout);
        v_locked := true;
    END LOOP;
    UPDATE events_session SET capacity = p_capacity WHERE id = p_session;
    PERFORM majlis_fill_free_seats_v1(
        ARRAY[p_session], v_group, clock_timestamp(),
        p_actor_kind, p_actor_user, p_actor_api_key);
    r_outcome := 'ok';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- undone, the group's locks included
  END;
  RETURN QUERY SELECT r_outcome, r_seats;
END;
$$;
