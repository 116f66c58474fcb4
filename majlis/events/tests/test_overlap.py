"""The overlap rule itself, without the database."""

from datetime import UTC, datetime, timedelta

import pytest

from majlis.events.models import intervals_overlap

T = datetime(2026, 2, 11, 15, 30, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((T, T + 2 * H), (T, T + 2 * H), True),  # the same afternoon slot
        ((T, T + 2 * H), (T + H, T + 3 * H), True),  # partly
        ((T, T + 3 * H), (T + H, T + 2 * H), True),  # one inside the other
        ((T, T + 2 * H), (T + 2 * H, T + 3 * H), False),  # back to back
        ((T, T + 2 * H), (T + 24 * H, T + 26 * H), False),  # the next day
    ],
)
def test_sessions_overlap_when_their_times_do_and_touching_is_not_overlapping(
    a, b, expected
):
    assert intervals_overlap(*a, *b) is expected
    assert intervals_overlap(*b, *a) is expected


def test_overlap_is_about_instants_not_the_zone_they_are_written_in():
    casablanca = T.astimezone(__import__("zoneinfo").ZoneInfo("Africa/Casablanca"))
    assert intervals_overlap(T, T + H, casablanca + timedelta(minutes=59), T + 2 * H)
