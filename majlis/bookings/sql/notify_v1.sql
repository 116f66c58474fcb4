-- One message for the booking's delegate, to their address and in their
-- language as they are now (_Change.notify in the service).
CREATE OR REPLACE FUNCTION majlis_notify_v1(
    p_booking bigint, p_kind text, p_extra jsonb, p_at timestamptz
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO outbox_outboxmessage (
        kind, to_email, language, payload, status, attempts, next_attempt_at,
        last_error, created_at)
    SELECT p_kind, p.email, p.language,
           jsonb_build_object('booking', p_booking) || p_extra,
           'pending', 0, p_at, '', p_at
    FROM bookings_booking b JOIN accounts_participant p ON p.id = b.participant_id
    WHERE b.id = p_booking
$$;
