"""The one-statement booking for PostgreSQL (docs/adr/0002-one-statement-booking.md).

The function's text is kept here, as it was installed, so that this
migration always builds what it built (majlis/bookings/sql/README.md); it was
dropped by migration 0011.
"""

from django.db import migrations

SQL = """-- The common booking, whole, in one statement: see docs/adr/0002-one-statement-booking.md.
--
-- A delegate asks for a seat, nothing of theirs is in the way: confirm it if a
-- seat is free, else put them on the waiting list; write the audit row, the
-- outbox message and the idempotency answer. Every other case (already booked,
-- a seat held at the same time, booking closed, full without a waiting list,
-- a concurrent booking of the same delegate) answers 'fallback' having changed
-- nothing, and the Python service decides it under the overlap-group lock.
-- "Nothing" includes the session's row lock: the work runs in a block whose
-- subtransaction is rolled back on the way out, so a caller already inside a
-- transaction can go on to lock the whole group in id order without holding
-- one of its rows out of turn (which once deadlocked against another booking).
--
-- Locking only the session's row is enough here: every change that can touch
-- the delegate's bookings in an overlapping session (a cascade, a switch, a
-- move) locks that session's whole overlap group, this session included, and
-- two such fast bookings of one delegate at the same time meet at the
-- exclusion constraint (caught below). Run in autocommit, the lock lives only
-- inside PostgreSQL, never across a round trip to Python.
CREATE OR REPLACE FUNCTION majlis_book_seat_v1(
    p_participant bigint,
    p_email text,
    p_language text,
    p_event bigint,
    p_code text,
    p_access_needs jsonb,
    p_access_needs_note text,
    p_enforce_window boolean,
    p_lock_timeout text,
    p_principal text,
    p_key text,
    p_fingerprint text
) RETURNS TABLE (
    outcome text,
    booking_id bigint,
    booking_status text,
    waitlist_position integer,
    stored_status integer,
    stored_body jsonb
) LANGUAGE plpgsql AS $$
DECLARE
    v_record bigint;
    v_session record;
    v_now timestamptz;
    v_closes timestamptz;
    v_status text;
    v_booking bigint;
    v_position integer;
BEGIN
  BEGIN
    IF p_key IS NOT NULL THEN
        INSERT INTO bookings_idempotencyrecord (principal, key, request_fingerprint, created_at)
        VALUES (p_principal, p_key, p_fingerprint, now())
        ON CONFLICT (principal, key) DO NOTHING
        RETURNING id INTO v_record;
        IF v_record IS NULL THEN
            RETURN QUERY
                SELECT 'duplicate'::text, NULL::bigint, NULL::text, NULL::integer,
                       r.response_status::integer, r.response_body
                FROM bookings_idempotencyrecord r
                WHERE r.principal = p_principal AND r.key = p_key
                  AND r.request_fingerprint = p_fingerprint
                  AND r.response_status IS NOT NULL;
            IF NOT FOUND THEN
                -- The key was used for another request: the service says so.
                RAISE EXCEPTION USING ERRCODE = 'MJFBK';
            END IF;
            RETURN;
        END IF;
    END IF;

    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    SELECT s.id, s.capacity, s.seats_taken, s.has_waitlist, s.starts_at, s.ends_at,
           e.booking_opens_at, e.booking_closes_at, e.is_demo
    INTO v_session
    FROM events_session s JOIN events_event e ON e.id = s.event_id
    WHERE s.event_id = p_event AND s.code = p_code
    FOR UPDATE OF s;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';
    END IF;
    -- After the lock, so times follow the order of changes.
    v_now := clock_timestamp();
    v_closes := coalesce(
        v_session.booking_closes_at,
        CASE WHEN v_session.is_demo THEN NULL ELSE v_session.starts_at END);

    IF p_enforce_window AND (
           (v_session.booking_opens_at IS NOT NULL AND v_now < v_session.booking_opens_at)
           OR (v_closes IS NOT NULL AND v_now >= v_closes)) THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';
    ELSIF EXISTS (
        SELECT 1 FROM bookings_booking b
        WHERE b.participant_id = p_participant
          AND b.status IN ('confirmed', 'waitlisted')
          AND (b.session_id = v_session.id OR (
               b.status = 'confirmed'
               AND b.starts_at < v_session.ends_at
               AND v_session.starts_at < b.ends_at))
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';  -- already booked, or a seat in the way
    ELSIF v_session.seats_taken < v_session.capacity THEN
        v_status := 'confirmed';
    ELSIF v_session.has_waitlist THEN
        v_status := 'waitlisted';
    ELSE
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';  -- full, and no waiting list
    END IF;

    -- A concurrent booking of the same delegate (an overlapping seat, or this
    -- session twice) fails here on a constraint: the service decides.
    INSERT INTO bookings_booking (
        participant_id, session_id, status, starts_at, ends_at, created_at,
        confirmed_at, waitlisted_at, access_needs, access_needs_note)
    VALUES (
        p_participant, v_session.id, v_status, v_session.starts_at,
        v_session.ends_at, v_now,
        CASE WHEN v_status = 'confirmed' THEN v_now END,
        CASE WHEN v_status = 'waitlisted' THEN v_now END,
        p_access_needs, p_access_needs_note)
    RETURNING id INTO v_booking;

    IF v_status = 'confirmed' THEN
        UPDATE events_session SET seats_taken = seats_taken + 1 WHERE id = v_session.id;
    ELSE
        SELECT count(*) + 1 INTO v_position FROM bookings_booking
        WHERE session_id = v_session.id AND status = 'waitlisted' AND id < v_booking;
    END IF;

    INSERT INTO bookings_bookingchange (
        booking_id, action, from_status, to_status, actor_kind, at)
    VALUES (
        v_booking, CASE WHEN v_status = 'confirmed' THEN 'booked' ELSE 'waitlisted' END,
        '', v_status, 'participant', v_now);

    INSERT INTO outbox_outboxmessage (
        kind, to_email, language, payload, status, attempts, next_attempt_at,
        last_error, created_at)
    VALUES (
        'booking_' || v_status, p_email, p_language,
        CASE WHEN v_status = 'confirmed'
             THEN jsonb_build_object('booking', v_booking)
             ELSE jsonb_build_object('booking', v_booking, 'position', v_position) END,
        'pending', 0, v_now, '', v_now);

    -- The API's answer (BookingOut), stored for a retry with the same key.
    IF v_record IS NOT NULL THEN
        UPDATE bookings_idempotencyrecord
        SET response_status = 201,
            response_body = jsonb_build_object(
                'id', v_booking, 'session', p_code, 'status', v_status,
                'waitlist_position', v_position)
        WHERE id = v_record;
    END IF;

    RETURN QUERY SELECT 'booked'::text, v_booking, v_status, v_position,
        NULL::integer, NULL::jsonb;
  EXCEPTION WHEN SQLSTATE 'MJFBK' OR exclusion_violation OR unique_violation THEN
    -- Everything above is undone, the session's row lock included.
    RETURN QUERY SELECT 'fallback'::text, NULL::bigint, NULL::text, NULL::integer,
        NULL::integer, NULL::jsonb;
  END;
END;
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS majlis_book_seat_v1("
            "bigint, text, text, bigint, text, jsonb, text, boolean, text, text, text, text)"
        )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0007_no_show_actions")]
    operations = [migrations.RunPython(create, drop)]
