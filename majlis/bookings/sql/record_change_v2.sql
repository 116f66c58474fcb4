-- One row of the audit trail (Change.record in majlis/bookings/services/changes.py).
-- Version 2 (migration bookings/0011): PL/pgSQL, whose statement plan is kept
-- for the session, where the SQL function of version 1 was planned at every call.
CREATE OR REPLACE FUNCTION majlis_record_change_v2(
    p_booking bigint, p_action text, p_from text, p_to text, p_at timestamptz,
    p_actor_kind text, p_actor_user integer, p_actor_api_key bigint
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bookings_bookingchange (
        booking_id, action, from_status, to_status, actor_kind, actor_user_id,
        actor_api_key_id, at)
    VALUES (p_booking, p_action, p_from, p_to, p_actor_kind, p_actor_user,
            p_actor_api_key, p_at);
END;
$$;
