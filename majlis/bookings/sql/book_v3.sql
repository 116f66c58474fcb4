-- A booking, whole, in one statement: see docs/adr/0005-one-engine-per-database.md.
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
