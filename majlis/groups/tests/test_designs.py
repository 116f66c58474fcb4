"""Design theory: finite fields, the grid's rounds, and the cases with a
known perfect answer."""

from itertools import combinations

import pytest

from majlis.groups.designs import field_tables, grid, prime_power
from majlis.groups.planner import Person, Request, plan


def pairs_meeting_twice(tables_of, points):
    seen = {}
    for layout in tables_of:
        tables = {}
        for point in points:
            tables.setdefault(layout[point], []).append(point)
        for group in tables.values():
            for pair in combinations(group, 2):
                seen[pair] = seen.get(pair, 0) + 1
    return sum(1 for count in seen.values() if count > 1)


@pytest.mark.parametrize(
    ("q", "expected"), [(2, (2, 1)), (8, (2, 3)), (9, (3, 2)), (25, (5, 2))]
)
def test_prime_powers_are_recognised(q, expected):
    assert prime_power(q) == expected


@pytest.mark.parametrize("q", [1, 6, 12, 60])
def test_other_numbers_are_not_prime_powers(q):
    assert prime_power(q) is None


@pytest.mark.parametrize("q", [4, 8, 9, 16])
def test_field_tables_make_a_field(q):
    add, multiply = field_tables(q)
    for a in range(q):
        assert add[a][0] == a and multiply[a][1] == a
        assert sorted(add[a]) == list(range(q))  # every element has an opposite
        if a:
            assert sorted(multiply[a]) == list(range(q))  # and an inverse
    for a in range(q):
        for b in range(q):
            for c in range(q):
                left = multiply[a][add[b][c]]
                assert left == add[multiply[a][b]][multiply[a][c]]


@pytest.mark.parametrize(
    ("people", "tables", "rounds"),
    [
        (9, 3, 4),
        (16, 4, 5),
        (25, 5, 6),
        (50, 8, 4),
        (56, 8, 8),
        (400, 60, 5),
        (70, 10, 2),
    ],
)
def test_the_grid_meets_nobody_twice_where_the_numbers_allow(people, tables, rounds):
    layout = grid(people, tables, rounds, row_zero_stays=False)
    assert layout.no_pair_twice
    ghosts = layout.rows * tables - people
    points = [
        point
        for point in range(layout.rows * tables)
        if point < (layout.rows - 1) * tables + tables - ghosts
    ]
    assert pairs_meeting_twice(layout.tables_of, points) == 0
    for round_layout in layout.tables_of:
        sizes = [0] * tables
        for point in points:
            sizes[round_layout[point]] += 1
        assert max(sizes) - min(sizes) <= 1


def test_row_zero_keeps_its_table_for_hosts():
    layout = grid(16, 4, 4, row_zero_stays=True)
    for round_layout in layout.tables_of:
        assert [round_layout[y] for y in range(4)] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("people", "tables", "rounds"), [(9, 3, 4), (16, 4, 5), (25, 5, 6)]
)
def test_the_design_theory_cases_have_no_pair_meeting_twice(people, tables, rounds):
    request = Request(
        people=tuple(Person(id=f"p{i}") for i in range(people)),
        tables=tables,
        rounds=rounds,
        seed=3,
    )
    figures = plan(request).arrangement.figures
    assert figures.repeated_pairs == 0
    assert figures.most_meetings == 1
    # Everyone meets everyone else exactly once: an affine plane.
    assert figures.repeat_meetings == 0
    assert figures.sizes_within_one


def test_a_design_case_stays_perfect_with_a_mixed_roster():
    """Three organisations of three, at 3 tables over 3 rounds: colleagues
    never sit together and nobody meets anyone twice (each organisation is a
    row of the grid). A fourth round would have to seat colleagues together,
    every pair having met once already."""
    request = Request(
        people=tuple(
            Person(id=f"p{i}", organisation=f"org{i % 3}", constituency=f"c{i % 3}")
            for i in range(9)
        ),
        tables=3,
        rounds=3,
    )
    figures = plan(request).arrangement.figures
    assert figures.repeated_pairs == 0
    assert figures.balance_deviation == 0
    assert figures.same_organisation_pairs == 0


def test_the_grid_says_when_its_rounds_repeat_pairs():
    # Modulo 10, only slopes an odd distance apart keep 7 rows apart.
    assert not grid(70, 10, 4, row_zero_stays=False).no_pair_twice
