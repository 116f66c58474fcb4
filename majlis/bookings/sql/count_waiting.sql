-- Keeps Session.waitlist_length, in the same transaction as every change of a
-- booking's status, whoever writes it (the trigger booking_counts_waiting,
-- migration bookings/0009). Every writer already holds the session's row
-- lock when it changes a booking's status, so this update waits for nobody.
CREATE OR REPLACE FUNCTION majlis_count_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waitlisted' THEN
        UPDATE events_session SET waitlist_length = waitlist_length - 1
        WHERE id = OLD.session_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'waitlisted' THEN
        UPDATE events_session SET waitlist_length = waitlist_length + 1
        WHERE id = NEW.session_id;
    END IF;
    RETURN NULL;
END;
$$;
