-- The ids of the sessions linked to p_session by a chain of overlaps, in id
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
