-- One message for the booking's delegate, to their address and in their
-- language as they are now (Change.notify in majlis/bookings/services/changes.py).
-- Version 2 (migration bookings/0011): PL/pgSQL, whose statement plan is kept
-- for the session, where the SQL function of version 1 was planned at every call.
CREATE OR REPLACE FUNCTION majlis_notify_v2(
    p_booking bigint, p_kind text, p_extra jsonb, p_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_outboxmessage (
        kind, to_email, language, payload, status, attempts, next_attempt_at,
        last_error, created_at)
    SELECT p_kind, p.email, p.language,
           jsonb_build_object('booking', p_booking) || p_extra,
           'pending', 0, p_at, '', p_at
    FROM bookings_booking b JOIN accounts_participant p ON p.id = b.participant_id
    WHERE b.id = p_booking;
END;
$$;
