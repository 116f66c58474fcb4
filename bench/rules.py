"""Check every booking rule on the data a crowd left behind, straight in SQL.

Each query returns the rows that break a rule; an empty result is a pass.
"""

from typing import Any

import psycopg

RULES: dict[str, str] = {
    "no session above its capacity": """
        SELECT code, seats_taken, capacity FROM events_session
        WHERE seats_taken > capacity""",
    "seat counters match the confirmed bookings": """
        SELECT s.code, s.seats_taken, count(b.id)
        FROM events_session s
        LEFT JOIN bookings_booking b ON b.session_id = s.id AND b.status = 'confirmed'
        GROUP BY s.id HAVING s.seats_taken <> count(b.id)""",
    "waiting counters match the waiting bookings": """
        SELECT s.code, s.waitlist_length, count(b.id)
        FROM events_session s
        LEFT JOIN bookings_booking b ON b.session_id = s.id AND b.status = 'waitlisted'
        GROUP BY s.id HAVING s.waitlist_length <> count(b.id)""",
    "no delegate in two overlapping sessions": """
        SELECT a.participant_id, a.id, b.id FROM bookings_booking a
        JOIN bookings_booking b ON a.participant_id = b.participant_id AND a.id < b.id
        WHERE a.status = 'confirmed' AND b.status = 'confirmed'
          AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at""",
    "no free seat while someone waits": """
        SELECT s.code, s.seats_taken, s.capacity FROM events_session s
        WHERE s.seats_taken < s.capacity AND EXISTS (
            SELECT 1 FROM bookings_booking w
            WHERE w.session_id = s.id AND w.status = 'waitlisted')""",
    "one live booking per delegate and session": """
        SELECT participant_id, session_id, count(*) FROM bookings_booking
        WHERE status IN ('confirmed', 'waitlisted')
        GROUP BY participant_id, session_id HAVING count(*) > 1""",
    "every booking has its audit trail": """
        SELECT b.id FROM bookings_booking b
        WHERE NOT EXISTS (
            SELECT 1 FROM bookings_bookingchange c WHERE c.booking_id = b.id)""",
    "every booking has its message in the outbox": """
        SELECT b.id FROM bookings_booking b
        WHERE NOT EXISTS (
            SELECT 1 FROM outbox_outboxmessage m
            WHERE (m.payload ->> 'booking')::bigint = b.id)""",
}


def check_rules(
    database_url: str,
    answered_bookings: list[dict[str, Any]],
    answered_cancellations: list[int],
) -> dict[str, list[Any]]:
    """The rows breaking each rule (empty lists when all is well)."""
    broken: dict[str, list[Any]] = {}
    with psycopg.connect(database_url) as connection:
        for rule, query in RULES.items():
            broken[rule] = connection.execute(query).fetchmany(10)
        answered = [booking["id"] for booking in answered_bookings]
        stored = {
            row[0]: row[1]
            for row in connection.execute(
                "SELECT id, status FROM bookings_booking WHERE id = ANY(%s)",
                [answered],
            )
        }
        broken["every answered booking is in the database"] = [
            booking_id for booking_id in answered if booking_id not in stored
        ][:10]
        broken["every answered cancellation is stored"] = [
            booking_id
            for booking_id in answered_cancellations
            if stored.get(booking_id) != "cancelled"
        ][:10]
    return broken
