"""The one-statement cancellation for PostgreSQL
(docs/adr/0004-one-statement-cancellation.md).

The functions' text is kept here, as it was installed, so that this
migration always builds what it built (majlis/bookings/sql/README.md);
migration 0011 replaced majlis_cancel_booking_v1 and majlis_overlap_group_v1.
"""

from django.db import migrations

SQL = """-- A cancellation, whole, in one statement: see docs/adr/0004-one-statement-cancellation.md.
-- Version 1 (migration bookings/0010).
--
-- Does what booking_cancel() in majlis/bookings/services.py does, in the same
-- order, writing the same rows: lock the booking's overlap group in id order,
-- cancel the booking, and when it held a seat give the seat to the first
-- delegate waiting; a promoted delegate gives up the seat they held in an
-- overlapping session, which goes to the first waiting there, and so on. Every
-- step writes its audit row and its outbox message.
--
-- The lock is the same as the Python path's; what changes is how long it is
-- held. Run in autocommit, it lives only inside PostgreSQL, never across the
-- dozen round trips to a busy Python process that the cascade took there.
--
-- Cases the service words itself (already cancelled, outside the booking
-- window, a group that changed under the lock because a session moved, an
-- unknown booking) answer 'fallback' having
-- changed nothing: the work runs in a block whose subtransaction is rolled
-- back on the way out, locks included.
-- The ids of the sessions linked to p_session by a chain of overlaps, in id
-- order: overlap_group_ids() in majlis/bookings/locking.py. Sorted by start,
-- a chain is a run in which each session starts before the latest end so far.
CREATE OR REPLACE FUNCTION majlis_overlap_group_v1(p_event bigint, p_session bigint)
RETURNS bigint[] LANGUAGE sql STABLE AS $$
    WITH ordered AS (
        SELECT id, starts_at,
               max(ends_at) OVER (ORDER BY starts_at, id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   AS latest_end_before
        FROM events_session WHERE event_id = p_event
    ), runs AS (
        SELECT id, count(*) FILTER (
                   WHERE latest_end_before IS NULL OR starts_at >= latest_end_before)
                   OVER (ORDER BY starts_at, id) AS run
        FROM ordered
    )
    SELECT coalesce(array_agg(id ORDER BY id), ARRAY[p_session])
    FROM runs WHERE run = (SELECT run FROM runs WHERE id = p_session)
$$;

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

CREATE OR REPLACE FUNCTION majlis_cancel_booking_v1(
    p_booking bigint,
    p_enforce_window boolean,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_booking record;
    v_event record;
    v_group bigint[];
    v_from_status text;
    v_now timestamptz;
    v_closes timestamptz;
    v_queue bigint[];
    v_freed bigint;
    v_place record;
    v_waiting record;
    v_held record;
BEGIN
  BEGIN
    SELECT b.session_id, s.event_id
    INTO v_booking
    FROM bookings_booking b JOIN events_session s ON s.id = b.session_id
    WHERE b.id = p_booking;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';
    END IF;

    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    v_group := majlis_overlap_group_v1(v_booking.event_id, v_booking.session_id);
    PERFORM 1 FROM events_session WHERE id = ANY (v_group) ORDER BY id FOR UPDATE;
    -- A session moved into the group before the lock: the service locks it too.
    IF v_group <> majlis_overlap_group_v1(v_booking.event_id, v_booking.session_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';
    END IF;
    -- After the lock, so times follow the order of changes.
    v_now := clock_timestamp();

    SELECT s.starts_at, e.booking_opens_at, e.booking_closes_at, e.is_demo
    INTO v_event
    FROM events_session s JOIN events_event e ON e.id = s.event_id
    WHERE s.id = v_booking.session_id;
    v_closes := coalesce(
        v_event.booking_closes_at,
        CASE WHEN v_event.is_demo THEN NULL ELSE v_event.starts_at END);
    IF p_enforce_window AND (
           (v_event.booking_opens_at IS NOT NULL AND v_now < v_event.booking_opens_at)
           OR (v_closes IS NOT NULL AND v_now >= v_closes)) THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';
    END IF;

    -- Read again under the lock: a promotion or a cascade may have changed it.
    SELECT status INTO v_from_status FROM bookings_booking WHERE id = p_booking;
    IF v_from_status NOT IN ('confirmed', 'waitlisted') THEN
        RAISE EXCEPTION USING ERRCODE = 'MJFBK';  -- already cancelled
    END IF;
    UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
    WHERE id = p_booking;
    PERFORM majlis_record_change_v1(
        p_booking, 'cancelled', v_from_status, 'cancelled', v_now,
        p_actor_kind, p_actor_user, p_actor_api_key);
    PERFORM majlis_notify_v1(p_booking, 'booking_cancelled', '{}'::jsonb, v_now);
    IF v_from_status <> 'confirmed' THEN
        RETURN 'cancelled';
    END IF;

    UPDATE events_session SET seats_taken = seats_taken - 1
    WHERE id = v_booking.session_id;
    v_queue := ARRAY[v_booking.session_id];
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
            -- Waiting meant "I would rather have this one": the seat they hold
            -- at the same time goes, and its session is filled in turn.
            FOR v_held IN
                SELECT b.id, b.session_id
                FROM bookings_booking b JOIN events_session o ON o.id = b.session_id
                WHERE b.participant_id = v_waiting.participant_id
                  AND b.status = 'confirmed'
                  AND b.session_id = ANY (v_group)
                  AND b.session_id <> v_freed
                  AND o.starts_at < v_place.ends_at AND v_place.starts_at < o.ends_at
                ORDER BY b.id
            LOOP
                UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
                WHERE id = v_held.id;
                PERFORM majlis_record_change_v1(
                    v_held.id, 'released_for_preferred', 'confirmed', 'cancelled',
                    v_now, p_actor_kind, p_actor_user, p_actor_api_key);
                UPDATE events_session SET seats_taken = seats_taken - 1
                WHERE id = v_held.session_id;
                PERFORM majlis_notify_v1(
                    v_held.id, 'booking_released',
                    jsonb_build_object('preferred', v_waiting.id), v_now);
                v_queue := v_queue || v_held.session_id;
            END LOOP;
            UPDATE bookings_booking SET status = 'confirmed', confirmed_at = v_now
            WHERE id = v_waiting.id;
            UPDATE events_session SET seats_taken = seats_taken + 1 WHERE id = v_freed;
            PERFORM majlis_record_change_v1(
                v_waiting.id, 'promoted', 'waitlisted', 'confirmed', v_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            PERFORM majlis_notify_v1(v_waiting.id, 'booking_promoted', '{}'::jsonb, v_now);
        END LOOP;
    END LOOP;

    RETURN 'cancelled';
  EXCEPTION
    WHEN SQLSTATE 'MJFBK' OR deadlock_detected THEN
    -- Everything above is undone, the group's row locks included.
    RETURN 'fallback';
  END;
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS majlis_cancel_booking_v1(bigint, boolean, text, text, integer, bigint);
DROP FUNCTION IF EXISTS majlis_notify_v1(bigint, text, jsonb, timestamptz);
DROP FUNCTION IF EXISTS majlis_record_change_v1(
    bigint, text, text, text, timestamptz, text, integer, bigint);
DROP FUNCTION IF EXISTS majlis_overlap_group_v1(bigint, bigint);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0009_waitlist_length_trigger"),
        ("outbox", "0001_initial"),
        ("accounts", "0002_scope_api_keys_and_expire_tokens"),
    ]
    operations = [migrations.RunPython(create, drop)]
