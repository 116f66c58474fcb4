-- A booking moved to another session on a delegate's behalf, in one
-- statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Both overlap groups are locked first, in id order, so that the booking and
-- the cancellation that follow wait for nobody. The delegate is booked into
-- p_to_session as a switch (majlis_book_v3, outside the booking window, with
-- the booking's access needs): with a seat there, the old booking is then
-- cancelled (majlis_cancel_v2) and its seat goes to the first waiting; when
-- full, they wait for it and keep what they hold. Answers as majlis_book_v3.
CREATE OR REPLACE FUNCTION majlis_move_booking_v1(
    p_booking bigint,
    p_to_session bigint,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (
    outcome text,
    booking_id bigint,
    booking_status text,
    waitlist_position integer,
    refusal text,
    detail_booking bigint,
    detail_status text,
    detail_session text,
    detail_when timestamptz,
    stored_status integer,
    stored_body jsonb
) LANGUAGE plpgsql AS $$
DECLARE
    v_old record;
    v_booked record;
    v_to_event bigint;
BEGIN
    SELECT b.participant_id, b.session_id, b.access_needs, b.access_needs_note,
           s.event_id
    INTO v_old
    FROM bookings_booking b JOIN events_session s ON s.id = b.session_id
    WHERE b.id = p_booking;
    SELECT event_id INTO v_to_event FROM events_session WHERE id = p_to_session;
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    PERFORM 1 FROM events_session
    WHERE id = ANY (
        majlis_overlap_group_v2(v_old.event_id, v_old.session_id, NULL, NULL)
        || majlis_overlap_group_v2(v_to_event, p_to_session, NULL, NULL))
    ORDER BY id FOR UPDATE;
    SELECT * INTO v_booked FROM majlis_book_v3(
        v_old.participant_id, p_to_session, NULL, NULL, true, false, false,
        v_old.access_needs, NULL, v_old.access_needs_note, false, p_lock_timeout,
        p_actor_kind, p_actor_user, p_actor_api_key, NULL, NULL, NULL);
    IF v_booked.booking_status = 'confirmed' THEN
        PERFORM majlis_cancel_v2(
            p_booking, false, p_lock_timeout, p_actor_kind, p_actor_user, p_actor_api_key);
    END IF;
    RETURN QUERY SELECT v_booked.outcome, v_booked.booking_id, v_booked.booking_status,
        v_booked.waitlist_position, v_booked.refusal, v_booked.detail_booking,
        v_booked.detail_status, v_booked.detail_session, v_booked.detail_when,
        v_booked.stored_status, v_booked.stored_body;
END;
$$;
