"""One engine per database (docs/adr/0005-one-engine-per-database.md): on
PostgreSQL every booking change is one call of a function that decides
everything, and nothing is handed back to Python any more.

Installs each function of majlis/bookings/sql/ as its file reads today. The
text is kept here, not read from the file at migrate time, so this migration
always builds what it built: a changed function needs a new migration
(majlis/bookings/sql/README.md). Drops the versions replaced:
majlis_book_seat_v1 and v2, majlis_cancel_booking_v1, majlis_overlap_group_v1,
majlis_record_change_v1 and majlis_notify_v1.
"""

import importlib

from django.db import migrations

FUNCTIONS = {
    "majlis_count_waiting": """-- Keeps Session.waitlist_length, in the same transaction as every change of a
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
""",
    "majlis_record_change_v2": """-- One row of the audit trail (Change.record in majlis/bookings/services/changes.py).
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
""",
    "majlis_notify_v2": """-- One message for the booking's delegate, to their address and in their
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
""",
    "majlis_overlap_group_v2": """-- The ids of the sessions linked to p_session by a chain of overlaps, in id
-- order: overlap_group_ids() in majlis/bookings/locking.py. With p_starts and
-- p_ends, as if p_session had those times (a move). Sorted by start, a chain
-- is a run in which each session starts before the latest end so far.
CREATE OR REPLACE FUNCTION majlis_overlap_group_v2(
    p_event bigint, p_session bigint, p_starts timestamptz, p_ends timestamptz
) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    WITH timetable AS (
        SELECT id,
               CASE WHEN id = p_session AND p_starts IS NOT NULL
                    THEN p_starts ELSE starts_at END AS starts_at,
               CASE WHEN id = p_session AND p_starts IS NOT NULL
                    THEN p_ends ELSE ends_at END AS ends_at
        FROM events_session WHERE event_id = p_event
    ), ordered AS (
        SELECT id, starts_at,
               max(ends_at) OVER (ORDER BY starts_at, id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   AS latest_end_before
        FROM timetable
    ), runs AS (
        SELECT id, count(*) FILTER (
                   WHERE latest_end_before IS NULL OR starts_at >= latest_end_before)
                   OVER (ORDER BY starts_at, id) AS run
        FROM ordered
    )
    SELECT coalesce(array_agg(id ORDER BY id), ARRAY[p_session])
    FROM runs WHERE run = (SELECT run FROM runs WHERE id = p_session)
$$;
""",
    "majlis_lock_overlap_group_v1": """-- Lock the overlap group of p_session in id order, with the lock timeout;
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
""",
    "majlis_fill_free_seats_v1": """-- Promote waiting delegates into the free seats of p_sessions, in the order
-- they joined: fill_free_seats() in majlis/bookings/services/changes.py, for
-- the Python engine. The caller holds the lock of p_group, the overlap group.
--
-- A promoted delegate gives up the seat they held in an overlapping session
-- (waiting meant "I would rather have this one"), which frees that seat in
-- turn. Each booking moves forward at most twice (waiting, confirmed,
-- cancelled), so the cascade ends. Every step writes its audit row and its
-- outbox message, and the counters.
CREATE OR REPLACE FUNCTION majlis_fill_free_seats_v1(
    p_sessions bigint[],
    p_group bigint[],
    p_now timestamptz,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_queue bigint[] := p_sessions;
    v_freed bigint;
    v_place record;
    v_waiting record;
    v_held record;
BEGIN
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
            FOR v_held IN
                SELECT b.id, b.session_id
                FROM bookings_booking b JOIN events_session o ON o.id = b.session_id
                WHERE b.participant_id = v_waiting.participant_id
                  AND b.status = 'confirmed'
                  AND b.session_id = ANY (p_group)
                  AND b.session_id <> v_freed
                  AND o.starts_at < v_place.ends_at AND v_place.starts_at < o.ends_at
                ORDER BY b.id
            LOOP
                UPDATE bookings_booking SET status = 'cancelled', cancelled_at = p_now
                WHERE id = v_held.id;
                PERFORM majlis_record_change_v2(
                    v_held.id, 'released_for_preferred', 'confirmed', 'cancelled',
                    p_now, p_actor_kind, p_actor_user, p_actor_api_key);
                UPDATE events_session SET seats_taken = seats_taken - 1
                WHERE id = v_held.session_id;
                PERFORM majlis_notify_v2(
                    v_held.id, 'booking_released',
                    jsonb_build_object('preferred', v_waiting.id), p_now);
                v_queue := v_queue || v_held.session_id;
            END LOOP;
            UPDATE bookings_booking SET status = 'confirmed', confirmed_at = p_now
            WHERE id = v_waiting.id;
            UPDATE events_session SET seats_taken = seats_taken + 1 WHERE id = v_freed;
            PERFORM majlis_record_change_v2(
                v_waiting.id, 'promoted', 'waitlisted', 'confirmed', p_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            PERFORM majlis_notify_v2(v_waiting.id, 'booking_promoted', '{}'::jsonb, p_now);
        END LOOP;
    END LOOP;
END;
$$;
""",
    "majlis_book_v3": """-- A booking, whole, in one statement: see docs/adr/0005-one-engine-per-database.md.
-- Version 3 (migration bookings/0011): every case is decided here; nothing is
-- handed back to Python. The Python engine (majlis/bookings/services/) does
-- the same for SQLite, and the differential test holds the two together.
--
-- A delegate (or an organiser, for a walk-in or a move) asks for a seat in a
-- session, given by id (p_session) or by event slug and code. Refused: an
-- unknown event or session (not_found), a delegate of another event
-- (not_registered), outside the booking window (booking_not_open,
-- booking_closed, with the time), a booking already held here
-- (already_booked), a seat held at the same time unless switching
-- (time_conflict), a walk-in before absent delegates' seats may be released
-- (too_early_walk_in) or with no free seat (full_walk_in; with p_check_in,
-- the seat given is checked in at once), a full session
-- without a waiting list (session_full), unknown access needs (invalid_needs:
-- the caller names them in p_unknown_needs), in that order. Refusals are
-- answered with the facts their message needs; Python words them in the
-- caller's language and stores the answer of a keyed request.
--
-- Refusals are read without any lock: each is a fact of one committed moment
-- (read committed: every statement sees what was committed when it began),
-- the answer the request would have had at that moment. What passes is
-- decided again under the locks the change needs: the session's row for a
-- seat or a place in line (every change that could touch this delegate's
-- bookings in an overlapping session locks this row too, as part of that
-- session's overlap group), the whole overlap group in id order for a switch
-- that releases a seat (its cascade can reach any of it). A refusal found
-- only under the lock rolls the attempt back, lock included. A concurrent
-- booking of the same delegate meets this one at the exclusion constraint or
-- the unique index of live bookings (or as a deadlock, when both insert at
-- once): the attempt is rolled back and decided again on what that booking
-- committed.
--
-- With a key (p_principal, p_key, p_fingerprint): a request already answered
-- gets its stored answer (replayed), another request under the same key is
-- refused (key_reused). The record is inserted before the lock and its answer
-- written in the same statement, so a concurrent retry waits for it and then
-- reads the answer.
CREATE OR REPLACE FUNCTION majlis_book_v3(
    p_participant bigint,
    p_session bigint,
    p_event_slug text,
    p_code text,
    p_switch boolean,
    p_walk_in boolean,
    p_check_in boolean,
    p_access_needs jsonb,
    p_unknown_needs text,
    p_access_needs_note text,
    p_enforce_window boolean,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint,
    p_principal text,
    p_key text,
    p_fingerprint text
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
    r_outcome text;
    r_booking bigint;
    r_status text;
    r_position integer;
    r_refusal text;
    r_d_booking bigint;
    r_d_status text;
    r_d_session text;
    r_d_when timestamptz;
    r_stored_status integer;
    r_stored_body jsonb;
    v_event bigint;
    v_own_event bigint;
    v_session bigint;
    v_s record;
    v_now timestamptz;
    v_closes timestamptz;
    v_way bigint;
    v_has_seat boolean;
    v_releases boolean;
    v_locked text;
    v_group bigint[];
    v_record bigint;
    v_stored record;
    v_held record;
    v_released bigint[];
BEGIN
  <<decide>>
  BEGIN
    IF p_key IS NOT NULL THEN
        SELECT request_fingerprint, response_status, response_body INTO v_stored
        FROM bookings_idempotencyrecord WHERE principal = p_principal AND key = p_key;
        IF FOUND THEN
            IF v_stored.request_fingerprint <> p_fingerprint THEN
                r_outcome := 'key_reused';
            ELSE
                r_outcome := 'replayed';
                r_stored_status := v_stored.response_status;
                r_stored_body := v_stored.response_body;
            END IF;
            EXIT decide;
        END IF;
    END IF;

    -- The session, by id or by the event's slug and its code, and whose event
    -- the delegate belongs to.
    IF p_session IS NOT NULL THEN
        SELECT s.event_id, s.id, p.event_id INTO v_event, v_session, v_own_event
        FROM events_session s, accounts_participant p
        WHERE s.id = p_session AND p.id = p_participant;
    ELSE
        SELECT e.id, s.id, p.event_id INTO v_event, v_session, v_own_event
        FROM events_event e
        JOIN accounts_participant p ON p.id = p_participant
        LEFT JOIN events_session s ON s.event_id = e.id AND s.code = p_code
        WHERE e.slug = p_event_slug;
        IF v_event IS NULL THEN
            r_outcome := 'refused';
            r_refusal := 'not_found';
            EXIT decide;
        END IF;
    END IF;
    IF v_event IS DISTINCT FROM v_own_event THEN
        r_outcome := 'refused';
        r_refusal := 'not_registered';
        EXIT decide;
    ELSIF v_session IS NULL THEN
        r_outcome := 'refused';
        r_refusal := 'not_found';
        EXIT decide;
    END IF;

    FOR v_attempt IN 1..4 LOOP
      BEGIN
        v_locked := 'nothing';
        v_record := NULL;
        -- Decide without a lock; then again under the locks the change needs.
        LOOP
            -- What the rules read, in one statement (after the lock, a new
            -- one, which sees what the lock waited for).
            SELECT s.id, s.code, s.capacity, s.seats_taken, s.waitlist_length,
                   s.has_waitlist, s.starts_at, s.ends_at, s.no_show_release_minutes,
                   e.booking_opens_at, e.booking_closes_at, e.is_demo,
                   here.id AS here_id, here.status AS here_status,
                   way.id AS way_id, way.code AS way_code
            INTO v_s
            FROM events_session s
            JOIN events_event e ON e.id = s.event_id
            LEFT JOIN LATERAL (
                SELECT b.id, b.status FROM bookings_booking b
                WHERE b.participant_id = p_participant AND b.session_id = s.id
                  AND b.status IN ('confirmed', 'waitlisted')
                ORDER BY b.id LIMIT 1
            ) here ON true
            LEFT JOIN LATERAL (
                SELECT b.id, o.code
                FROM bookings_booking b JOIN events_session o ON o.id = b.session_id
                WHERE b.participant_id = p_participant AND b.status = 'confirmed'
                  AND b.session_id <> s.id
                  AND o.starts_at < s.ends_at AND s.starts_at < o.ends_at
                ORDER BY b.id LIMIT 1
            ) way ON true
            WHERE s.id = v_session;
            -- Under the lock, times follow the order of changes.
            v_now := clock_timestamp();
            r_refusal := NULL;
            v_closes := coalesce(
                v_s.booking_closes_at,
                CASE WHEN v_s.is_demo THEN NULL ELSE v_s.starts_at END);
            IF p_enforce_window AND v_s.booking_opens_at IS NOT NULL
                    AND v_now < v_s.booking_opens_at THEN
                r_refusal := 'booking_not_open';
                r_d_when := v_s.booking_opens_at;
            ELSIF p_enforce_window AND v_closes IS NOT NULL AND v_now >= v_closes THEN
                r_refusal := 'booking_closed';
                r_d_when := v_closes;
            ELSIF v_s.here_id IS NOT NULL THEN
                r_refusal := 'already_booked';
                r_d_booking := v_s.here_id;
                r_d_status := v_s.here_status;
            END IF;
            IF r_refusal IS NULL THEN
                v_way := v_s.way_id;
                r_d_session := v_s.way_code;
                v_has_seat := v_s.seats_taken < v_s.capacity;
                IF v_way IS NOT NULL AND NOT p_switch THEN
                    r_refusal := 'time_conflict';
                    r_d_booking := v_way;
                ELSIF p_walk_in AND v_now < v_s.starts_at
                        + make_interval(mins => v_s.no_show_release_minutes) THEN
                    r_refusal := 'too_early_walk_in';
                ELSIF p_walk_in AND NOT v_has_seat THEN
                    r_refusal := 'full_walk_in';
                ELSIF NOT v_has_seat AND NOT v_s.has_waitlist THEN
                    r_refusal := 'session_full';
                ELSIF p_unknown_needs IS NOT NULL THEN
                    r_refusal := 'invalid_needs';
                END IF;
            END IF;
            IF r_refusal IS NOT NULL THEN
                -- Undoes the attempt, its locks and key record included.
                RAISE EXCEPTION USING ERRCODE = 'MJREF';
            END IF;

            v_releases := v_way IS NOT NULL AND v_has_seat;
            EXIT WHEN v_locked = 'group' OR (v_locked = 'session' AND NOT v_releases);

            IF v_locked = 'nothing' AND p_key IS NOT NULL THEN
                INSERT INTO bookings_idempotencyrecord (
                    principal, key, request_fingerprint, created_at)
                VALUES (p_principal, p_key, p_fingerprint, now())
                ON CONFLICT (principal, key) DO NOTHING
                RETURNING id INTO v_record;
                IF v_record IS NULL THEN
                    -- The same key, answered and committed meanwhile.
                    RAISE EXCEPTION USING ERRCODE = 'MJDUP';
                END IF;
            END IF;
            IF v_releases THEN
                v_group := majlis_lock_overlap_group_v1(v_s.id, NULL, NULL, p_lock_timeout);
                v_locked := 'group';
            ELSE
                PERFORM set_config('lock_timeout', p_lock_timeout, true);
                PERFORM 1 FROM events_session WHERE id = v_s.id FOR UPDATE;
                v_locked := 'session';
            END IF;
        END LOOP;

        -- Release first: PostgreSQL checks the no-overlap constraint per statement.
        v_released := '{}';
        IF v_releases THEN
            FOR v_held IN
                SELECT b.id, b.session_id
                FROM bookings_booking b JOIN events_session o ON o.id = b.session_id
                WHERE b.participant_id = p_participant AND b.status = 'confirmed'
                  AND b.session_id <> v_s.id
                  AND o.starts_at < v_s.ends_at AND v_s.starts_at < o.ends_at
                ORDER BY b.id
            LOOP
                UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
                WHERE id = v_held.id;
                PERFORM majlis_record_change_v2(
                    v_held.id, 'switched_away', 'confirmed', 'cancelled', v_now,
                    p_actor_kind, p_actor_user, p_actor_api_key);
                UPDATE events_session SET seats_taken = seats_taken - 1
                WHERE id = v_held.session_id;
                PERFORM majlis_notify_v2(
                    v_held.id, 'booking_switched_away',
                    jsonb_build_object('to_session', v_s.code), v_now);
                v_released := v_released || v_held.session_id;
            END LOOP;
        END IF;

        r_status := CASE WHEN v_has_seat THEN 'confirmed' ELSE 'waitlisted' END;
        INSERT INTO bookings_booking (
            participant_id, session_id, status, starts_at, ends_at, created_at,
            confirmed_at, waitlisted_at, access_needs, access_needs_note)
        VALUES (
            p_participant, v_s.id, r_status, v_s.starts_at, v_s.ends_at, v_now,
            CASE WHEN v_has_seat THEN v_now END,
            CASE WHEN NOT v_has_seat THEN v_now END,
            p_access_needs, p_access_needs_note)
        RETURNING id INTO r_booking;

        IF v_has_seat THEN
            UPDATE events_session SET seats_taken = seats_taken + 1 WHERE id = v_s.id;
            PERFORM majlis_record_change_v2(
                r_booking, CASE WHEN p_walk_in THEN 'walk_in' ELSE 'booked' END,
                '', 'confirmed', v_now, p_actor_kind, p_actor_user, p_actor_api_key);
            PERFORM majlis_notify_v2(r_booking, 'booking_confirmed', '{}'::jsonb, v_now);
            IF cardinality(v_released) > 0 THEN
                PERFORM majlis_fill_free_seats_v1(
                    ARRAY(SELECT DISTINCT id FROM unnest(v_released) AS id ORDER BY id),
                    v_group, v_now, p_actor_kind, p_actor_user, p_actor_api_key);
            END IF;
            IF p_check_in THEN
                -- A walk-in at the door, checked in with the seat.
                UPDATE bookings_booking
                SET checked_in_at = v_now, checked_in_by_id = p_actor_user
                WHERE id = r_booking;
                PERFORM majlis_record_change_v2(
                    r_booking, 'checked_in', 'confirmed', 'confirmed', v_now,
                    p_actor_kind, p_actor_user, p_actor_api_key);
            END IF;
        ELSE
            -- Last in line: everyone waiting joined before, under this same lock.
            r_position := v_s.waitlist_length + 1;
            PERFORM majlis_record_change_v2(
                r_booking, 'waitlisted', '', 'waitlisted', v_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            PERFORM majlis_notify_v2(
                r_booking, 'booking_waitlisted',
                jsonb_build_object('position', r_position), v_now);
        END IF;

        IF v_record IS NOT NULL THEN
            UPDATE bookings_idempotencyrecord
            SET response_status = 201,
                response_body = jsonb_build_object(
                    'id', r_booking, 'session', v_s.code, 'status', r_status,
                    'waitlist_position', r_position)
            WHERE id = v_record;
        END IF;
        r_outcome := 'booked';
        EXIT;
      EXCEPTION
        WHEN SQLSTATE 'MJREF' THEN
            r_outcome := 'refused';
            EXIT;
        WHEN SQLSTATE 'MJDUP' THEN
            SELECT request_fingerprint, response_status, response_body INTO v_stored
            FROM bookings_idempotencyrecord
            WHERE principal = p_principal AND key = p_key;
            IF v_stored.request_fingerprint <> p_fingerprint THEN
                r_outcome := 'key_reused';
            ELSE
                r_outcome := 'replayed';
                r_stored_status := v_stored.response_status;
                r_stored_body := v_stored.response_body;
            END IF;
            EXIT;
        WHEN exclusion_violation OR unique_violation OR deadlock_detected THEN
            -- A concurrent change of this delegate's bookings: everything above
            -- is undone, and the next attempt reads what it committed.
            r_booking := NULL;
            r_position := NULL;
      END;
    END LOOP;
    IF r_outcome IS NULL THEN
        RAISE EXCEPTION 'booking kept meeting concurrent changes'
            USING ERRCODE = 'lock_not_available';
    END IF;
  END;

  RETURN QUERY SELECT r_outcome, r_booking, r_status, r_position, r_refusal,
      r_d_booking, r_d_status, r_d_session, r_d_when, r_stored_status, r_stored_body;
END;
$$;
""",
    "majlis_cancel_v2": """-- A cancellation, whole, in one statement: see docs/adr/0005-one-engine-per-database.md.
-- Version 2 (migration bookings/0011): every case is decided here.
--
-- Cancel the booking; when it held a seat, give the seat to the first
-- delegate waiting, whose seat at the same time goes to the first waiting
-- there, and so on (majlis_fill_free_seats_v1). Answers 'cancelled',
-- 'already_cancelled' (nothing written), 'not_found', or 'refused' with
-- booking_not_open or booking_closed and the time (p_enforce_window).
--
-- The refusals are read without a lock, each a fact of one committed moment;
-- a cancellation that passes locks the overlap group in id order
-- (majlis_lock_overlap_group_v1, which follows a session moved into it) and
-- is decided again under the lock, where a refusal rolls back, locks
-- included.
CREATE OR REPLACE FUNCTION majlis_cancel_v2(
    p_booking bigint,
    p_enforce_window boolean,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, refusal text, detail_when timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_refusal text;
    r_when timestamptz;
    v_b record;
    v_locked boolean := false;
    v_group bigint[];
    v_now timestamptz;
    v_closes timestamptz;
BEGIN
  BEGIN
    LOOP
        SELECT b.status, b.session_id, s.starts_at,
               e.booking_opens_at, e.booking_closes_at, e.is_demo
        INTO v_b
        FROM bookings_booking b
        JOIN events_session s ON s.id = b.session_id
        JOIN events_event e ON e.id = s.event_id
        WHERE b.id = p_booking;
        IF NOT FOUND THEN
            r_outcome := 'not_found';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        IF v_b.status NOT IN ('confirmed', 'waitlisted') THEN
            r_outcome := 'already_cancelled';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        -- Under the lock, times follow the order of changes.
        v_now := clock_timestamp();
        v_closes := coalesce(
            v_b.booking_closes_at, CASE WHEN v_b.is_demo THEN NULL ELSE v_b.starts_at END);
        IF p_enforce_window AND v_b.booking_opens_at IS NOT NULL
                AND v_now < v_b.booking_opens_at THEN
            r_outcome := 'refused';
            r_refusal := 'booking_not_open';
            r_when := v_b.booking_opens_at;
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        ELSIF p_enforce_window AND v_closes IS NOT NULL AND v_now >= v_closes THEN
            r_outcome := 'refused';
            r_refusal := 'booking_closed';
            r_when := v_closes;
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        v_group := majlis_lock_overlap_group_v1(v_b.session_id, NULL, NULL, p_lock_timeout);
        v_locked := true;
    END LOOP;

    UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
    WHERE id = p_booking;
    PERFORM majlis_record_change_v2(
        p_booking, 'cancelled', v_b.status, 'cancelled', v_now,
        p_actor_kind, p_actor_user, p_actor_api_key);
    IF v_b.status = 'confirmed' THEN
        UPDATE events_session SET seats_taken = seats_taken - 1
        WHERE id = v_b.session_id;
    END IF;
    PERFORM majlis_notify_v2(p_booking, 'booking_cancelled', '{}'::jsonb, v_now);
    IF v_b.status = 'confirmed' THEN
        PERFORM majlis_fill_free_seats_v1(
            ARRAY[v_b.session_id], v_group, v_now,
            p_actor_kind, p_actor_user, p_actor_api_key);
    END IF;
    r_outcome := 'cancelled';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- everything above is undone, the group's locks included
  END;
  RETURN QUERY SELECT r_outcome, r_refusal, r_when;
END;
$$;
""",
    "majlis_move_booking_v1": """-- A booking moved to another session on a delegate's behalf, in one
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
""",
    "majlis_set_capacity_v1": """-- A session's new capacity, in one statement: see docs/adr/0005-one-engine-per-database.md.
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
""",
    "majlis_release_no_shows_v1": """-- Absent delegates' seats to the waiting list, in one statement: see
-- docs/adr/0005-one-engine-per-database.md.
--
-- From no_show_release_minutes after the start ('too_early' before, with
-- that time, read without a lock and again under it): the overlap group is
-- locked in id order, every confirmed booking not checked in is released, in
-- id order (audited as released_no_show, with who did it, and messaged as a
-- cancellation), and the freed seats filled from the waiting list, cascade
-- included. Returns the released bookings' ids.
CREATE OR REPLACE FUNCTION majlis_release_no_shows_v1(
    p_session bigint,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, released bigint[], detail_when timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_released bigint[] := '{}';
    r_when timestamptz;
    v_locked boolean := false;
    v_group bigint[];
    v_now timestamptz;
    v_absent record;
BEGIN
  BEGIN
    LOOP
        SELECT s.starts_at + make_interval(mins => s.no_show_release_minutes)
        INTO r_when FROM events_session s WHERE s.id = p_session;
        v_now := clock_timestamp();
        IF v_now < r_when THEN
            r_outcome := 'too_early';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        v_group := majlis_lock_overlap_group_v1(p_session, NULL, NULL, p_lock_timeout);
        v_locked := true;
    END LOOP;
    FOR v_absent IN
        SELECT id FROM bookings_booking
        WHERE session_id = p_session AND status = 'confirmed' AND checked_in_at IS NULL
        ORDER BY id
    LOOP
        UPDATE bookings_booking SET status = 'cancelled', cancelled_at = v_now
        WHERE id = v_absent.id;
        PERFORM majlis_record_change_v2(
            v_absent.id, 'released_no_show', 'confirmed', 'cancelled', v_now,
            p_actor_kind, p_actor_user, p_actor_api_key);
        UPDATE events_session SET seats_taken = seats_taken - 1 WHERE id = p_session;
        PERFORM majlis_notify_v2(v_absent.id, 'booking_cancelled', '{}'::jsonb, v_now);
        r_released := r_released || v_absent.id;
    END LOOP;
    PERFORM majlis_fill_free_seats_v1(
        ARRAY[p_session], v_group, v_now, p_actor_kind, p_actor_user, p_actor_api_key);
    r_outcome := 'released';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- undone, the group's locks included
  END;
  RETURN QUERY SELECT r_outcome, r_released, r_when;
END;
$$;
""",
    "majlis_check_in_v1": """-- A check-in at the door, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Only a confirmed booking is checked in, and only while checked_in_at is
-- empty, so a second scan (or two doors at once) learns it was already done:
-- 'checked_in', 'already_checked_in', 'waitlisted' or 'not_booked', with the
-- booking and the seats left. Touches no seat, so it locks no session.
CREATE OR REPLACE FUNCTION majlis_check_in_v1(
    p_session bigint,
    p_participant bigint,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, booking_id bigint, seats_free integer)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_seats integer;
    v_booking record;
    v_now timestamptz;
BEGIN
    SELECT b.id, b.status INTO v_booking
    FROM bookings_booking b
    WHERE b.participant_id = p_participant AND b.session_id = p_session
      AND b.status IN ('confirmed', 'waitlisted')
    ORDER BY b.id LIMIT 1;
    SELECT greatest(s.capacity - s.seats_taken, 0) INTO r_seats
    FROM events_session s WHERE s.id = p_session;
    IF v_booking.id IS NULL THEN
        r_outcome := 'not_booked';
    ELSIF v_booking.status = 'waitlisted' THEN
        r_outcome := 'waitlisted';
    ELSE
        v_now := clock_timestamp();
        UPDATE bookings_booking
        SET checked_in_at = v_now, checked_in_by_id = p_actor_user
        WHERE id = v_booking.id AND checked_in_at IS NULL;
        IF FOUND THEN
            PERFORM majlis_record_change_v2(
                v_booking.id, 'checked_in', v_booking.status, v_booking.status, v_now,
                p_actor_kind, p_actor_user, p_actor_api_key);
            r_outcome := 'checked_in';
        ELSE
            r_outcome := 'already_checked_in';
        END IF;
    END IF;
    RETURN QUERY SELECT r_outcome, v_booking.id, r_seats;
END;
$$;
""",
    "majlis_move_session_v1": """-- A session's new times, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Refused ('conflict', with how many delegates) when a delegate confirmed
-- here would then hold a seat in another session at the same time: nobody's
-- seat is cancelled behind their back. The refusal is read without a lock
-- and again under it. Moves queue on the event's row (two moves into the
-- same free slot would otherwise each see no clash), then the session's
-- overlap group and the one it joins are locked in id order. The session's
-- times and its bookings' copies of them move together, and every live
-- booking's delegate is told, in id order. The caller refuses a session
-- that ends before it starts.
CREATE OR REPLACE FUNCTION majlis_move_session_v1(
    p_session bigint,
    p_starts timestamptz,
    p_ends timestamptz,
    p_lock_timeout text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS TABLE (outcome text, delegates integer)
LANGUAGE plpgsql AS $$
DECLARE
    r_outcome text;
    r_delegates integer;
    v_event bigint;
    v_locked boolean := false;
    v_now timestamptz;
    v_live record;
BEGIN
  BEGIN
    SELECT event_id INTO v_event FROM events_session WHERE id = p_session;
    LOOP
        SELECT count(DISTINCT other.participant_id) INTO r_delegates
        FROM bookings_booking here
        JOIN bookings_booking other ON other.participant_id = here.participant_id
        JOIN events_session o ON o.id = other.session_id
        WHERE here.session_id = p_session AND here.status = 'confirmed'
          AND other.status = 'confirmed' AND other.session_id <> p_session
          AND o.event_id = v_event
          AND o.starts_at < p_ends AND p_starts < o.ends_at;
        IF r_delegates > 0 THEN
            r_outcome := 'conflict';
            RAISE EXCEPTION USING ERRCODE = 'MJREF';
        END IF;
        EXIT WHEN v_locked;
        PERFORM set_config('lock_timeout', p_lock_timeout, true);
        PERFORM 1 FROM events_event WHERE id = v_event FOR UPDATE;
        PERFORM majlis_lock_overlap_group_v1(p_session, p_starts, p_ends, p_lock_timeout);
        v_locked := true;
    END LOOP;
    UPDATE events_session
    SET starts_at = p_starts, ends_at = p_ends, schedule_version = schedule_version + 1
    WHERE id = p_session;
    UPDATE bookings_booking SET starts_at = p_starts, ends_at = p_ends
    WHERE session_id = p_session;
    v_now := clock_timestamp();
    FOR v_live IN
        SELECT id, status FROM bookings_booking
        WHERE session_id = p_session AND status IN ('confirmed', 'waitlisted')
        ORDER BY id
    LOOP
        PERFORM majlis_notify_v2(
            v_live.id, 'booking_moved', jsonb_build_object('status', v_live.status),
            v_now);
    END LOOP;
    r_outcome := 'moved';
  EXCEPTION
    WHEN SQLSTATE 'MJREF' THEN
        NULL;  -- undone, the locks included
  END;
  RETURN QUERY SELECT r_outcome, r_delegates;
END;
$$;
""",
    "majlis_update_access_needs_v1": """-- A booking's access needs, in one statement: see docs/adr/0005-one-engine-per-database.md.
--
-- Touches no seat, so it locks only the booking's row; the change is audited
-- (access_needs, from and to the booking's status). The caller checks the
-- needs and trims the note.
CREATE OR REPLACE FUNCTION majlis_update_access_needs_v1(
    p_booking bigint,
    p_needs jsonb,
    p_note text,
    p_actor_kind text,
    p_actor_user integer,
    p_actor_api_key bigint
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE bookings_booking SET access_needs = p_needs, access_needs_note = p_note
    WHERE id = p_booking
    RETURNING status INTO v_status;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    PERFORM majlis_record_change_v2(
        p_booking, 'access_needs', v_status, v_status, clock_timestamp(),
        p_actor_kind, p_actor_user, p_actor_api_key);
    RETURN 'updated';
END;
$$;
""",
}

DROP_REPLACED = """
DROP FUNCTION IF EXISTS majlis_book_seat_v1(
    bigint, text, text, bigint, text, jsonb, text, boolean, text, text, text, text);
DROP FUNCTION IF EXISTS majlis_book_seat_v2(
    bigint, bigint, text, jsonb, text, boolean, text, text, text, text);
DROP FUNCTION IF EXISTS majlis_cancel_booking_v1(bigint, boolean, text, text, integer, bigint);
DROP FUNCTION IF EXISTS majlis_overlap_group_v1(bigint, bigint);
DROP FUNCTION IF EXISTS majlis_notify_v1(bigint, text, jsonb, timestamptz);
DROP FUNCTION IF EXISTS majlis_record_change_v1(
    bigint, text, text, text, timestamptz, text, integer, bigint);
"""

# Installed by earlier migrations, with the same text: left in place on the way back.
KEPT = {"majlis_count_waiting"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_REPLACED)
    for text in FUNCTIONS.values():
        schema_editor.execute(text, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS.keys() - KEPT:
            cursor.execute(
                "SELECT oid::regprocedure::text FROM pg_proc WHERE proname = %s",
                [name],
            )
            for (signature,) in cursor.fetchall():
                schema_editor.execute(f"DROP FUNCTION {signature}")
    earlier = "majlis.bookings.migrations."
    schema_editor.execute(importlib.import_module(earlier + "0008_book_seat_function").SQL)
    schema_editor.execute(
        importlib.import_module(earlier + "0009_waitlist_length_trigger").BOOK_SEAT_V2
    )
    schema_editor.execute(importlib.import_module(earlier + "0010_cancel_booking_function").SQL)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0010_cancel_booking_function")]
    operations = [migrations.RunPython(create, drop)]
