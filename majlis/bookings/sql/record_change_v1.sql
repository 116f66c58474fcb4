-- One row of the audit trail (_Change.record in the service).
CREATE OR REPLACE FUNCTION majlis_record_change_v1(
    p_booking bigint, p_action text, p_from text, p_to text, p_at timestamptz,
    p_actor_kind text, p_actor_user integer, p_actor_api_key bigint
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO bookings_bookingchange (
        booking_id, action, from_status, to_status, actor_kind, actor_user_id,
        actor_api_key_id, at)
    VALUES (p_booking, p_action, p_from, p_to, p_actor_kind, p_actor_user,
            p_actor_api_key, p_at)
$$;
