"""The group-formation planner: who sits at which table in each round.

Plain Python, no Django and no database: plain dataclasses in (``Person``,
``Request``), plain dataclasses out (``Plan``, ``Arrangement``,
``Figures``). docs/GROUPING.md explains the method and the figures to an
organiser.

What a good arrangement is, in order of importance:

1. table sizes within one of each other in every round, and hosts at their
   table in every round (never broken by the planner);
2. for working groups on topics (each table is a topic): people's topic
   choices honoured as far as possible;
3. mixed tables: each organisation, constituency, region, language and gender
   spread as evenly as its numbers allow;
4. across rounds (World Café), as few pairs as possible sitting together more
   than once.

Deterministic: the same request (people in the same order) and seed give the
same arrangement in any process, as long as the search keeps ahead of its time
limit (``Plan.time_limited`` says when it did not: on a slow or busy machine
the search then cools by the clock and ends at the limit).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from random import Random

from majlis.groups.designs import grid
from majlis.groups.search import State, Topics, improve, meeting_cost, settle

ATTRIBUTES = ("organisation", "constituency", "region", "language", "gender")
# The attributes whose spread the balance deviation reports (organisations
# are counted as pairs of colleagues instead).
BALANCED = ("constituency", "region", "language", "gender")
MAX_ROUNDS = 50
# The order in which people fill the grid's rows (see _grid_start).
ROW_ORDER = ("constituency", "organisation", "region", "language", "gender")

# Round -> table -> the ids of the people seated there.
Rounds = tuple[tuple[tuple[str, ...], ...], ...]


class Kind(StrEnum):
    CAFE = "cafe"  # World Café: several rounds, people meet new people
    TOPICS = "topics"  # working groups: each table is a topic
    TEAMS = "teams"  # one round of mixed teams


@dataclass(frozen=True)
class Person:
    id: str
    organisation: str = ""
    constituency: str = ""
    region: str = ""
    language: str = ""
    gender: str = ""
    # Tables (0-based) in order of preference, for working groups on topics.
    topic_choices: tuple[int, ...] = ()
    # A host stays at this table (0-based) in every round.
    host_table: int | None = None


@dataclass(frozen=True)
class Request:
    people: tuple[Person, ...]
    tables: int
    rounds: int = 1
    kind: Kind = Kind.CAFE
    seed: int = 0
    # Seconds the search may take at most. It usually ends well before; if
    # the machine is too slow for that, the search is shortened to end in
    # time (``Plan.time_limited``), and may then differ between two runs.
    time_limit: float = 10.0
    # Multiplies the number of moves the search may try (1 is the default).
    effort: float = 1.0


class PlanError(ValueError):
    """A request that cannot be planned. ``code`` and ``params`` let a caller
    say it in the user's language; ``str()`` is the English message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Figures:
    """How good an arrangement is."""

    # Pairs of people who share a table in two rounds or more.
    repeated_pairs: int
    # No arrangement of these sizes and hosts can have fewer (see
    # ``repeated_pairs_lower_bound``).
    lower_bound: int
    # The most rounds any pair shares a table.
    most_meetings: int
    # What the planner makes smallest: the meetings with someone met before
    # (a pair together in 2 rounds counts 1, in 3 rounds 2); the fewer, the
    # more different people met. And a lower bound of it.
    repeat_meetings: int
    repeat_meetings_lower_bound: int
    # Seats out of balance: summed over rounds, tables and each value of
    # constituency, region, language and gender, how far the table's count
    # of that value lies outside [floor(N/T), ceil(N/T)] (N people with that
    # value, T tables). 0: every group spread as evenly as numbers allow.
    balance_deviation: int
    balance_by_attribute: dict[str, int]
    # Pairs of colleagues (same organisation) at one table, summed over
    # rounds; and how many no arrangement can avoid.
    same_organisation_pairs: int
    same_organisation_pairs_unavoidable: int
    # Working groups: the share of the people who gave topic choices (hosts
    # apart) seated at their first choice (in some round); None otherwise.
    first_choice_share: float | None
    sizes_within_one: bool
    hosts_in_place: bool


@dataclass(frozen=True)
class Arrangement:
    rounds: Rounds
    figures: Figures


@dataclass(frozen=True)
class Plan:
    request: Request
    arrangement: Arrangement
    # A random arrangement of the same people, sizes and hosts, for comparison.
    random: Arrangement
    # Wall-clock seconds, and the processor's (less sensitive to a busy
    # machine).
    seconds: float
    cpu_seconds: float
    # The time limit shortened the search: another run may give another plan.
    time_limited: bool
    # How the search started ("affine plane AG(2, 8) (prime power)", ...).
    method: str
    iterations: int = 0


# Checking a request.


def validate(request: Request) -> None:
    people = request.people
    n = len(people)
    tables = request.tables
    if tables < 1:
        raise PlanError("tables", "The number of tables must be at least 1.")
    if not 1 <= request.rounds <= MAX_ROUNDS:
        raise PlanError(
            "rounds",
            "The number of rounds must be between 1 and %(most)d.",
            most=MAX_ROUNDS,
        )
    if request.kind == Kind.TEAMS and request.rounds != 1:
        raise PlanError("teams_rounds", "Teams are formed for one round.")
    if n < 2 * tables:
        raise PlanError(
            "too_few",
            "Too few for %(tables)d tables: each needs at least two people; the "
            "roster holds %(people)d.",
            people=n,
            tables=tables,
        )
    seen: set[str] = set()
    for person in people:
        if not person.id:
            raise PlanError("empty_id", "A person has no id.")
        if person.id in seen:
            raise PlanError(
                "duplicate_id", "The id %(id)s appears twice.", id=person.id
            )
        seen.add(person.id)
        if person.host_table is not None and not 0 <= person.host_table < tables:
            raise PlanError(
                "host_table",
                "%(id)s hosts table %(table)d, but the tables are numbered 1 to %(tables)d.",
                id=person.id,
                table=person.host_table + 1,
                tables=tables,
            )
        for choice in person.topic_choices:
            if not 0 <= choice < tables:
                raise PlanError(
                    "topic_choice",
                    "%(id)s chose topic %(table)d, but the tables are numbered 1 to %(tables)d.",
                    id=person.id,
                    table=choice + 1,
                    tables=tables,
                )
    small, extra = divmod(n, tables)
    hosts = [0] * tables
    for person in people:
        if person.host_table is not None:
            hosts[person.host_table] += 1
    crowded = [t for t in range(tables) if hosts[t] > small]
    if any(hosts[t] > small + 1 for t in crowded) or len(crowded) > extra:
        raise PlanError(
            "hosts",
            "Too many hosts at one table: here a table holds at most %(most)d people.",
            people=n,
            tables=tables,
            most=small + (1 if extra else 0),
        )


# Measuring an arrangement.


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _spread_pairs(count: int, tables: int) -> int:
    """The fewest pairs among ``count`` people seated at ``tables`` tables
    (spread as evenly as possible)."""
    each, more = divmod(count, tables)
    return more * _pairs(each + 1) + (tables - more) * _pairs(each)


def repeated_pairs_lower_bound(
    people: int, tables: int, rounds: int, host_tables: Sequence[int | None] = ()
) -> int:
    """No arrangement of ``people`` at ``tables`` tables (sizes within one)
    over ``rounds`` rounds has fewer pairs who share a table twice or more.

    The largest of three counts (docs/GROUPING.md explains them):

    - two rounds: the people of one table of round 1 are spread over the
      tables of round 2; a table of ``s`` people over ``T`` tables leaves at
      least ``_spread_pairs(s, T)`` of its pairs together again. Any two
      rounds give that many repeated pairs, summed over the tables;
    - one person: in each round they meet their table but for themselves;
      beyond the ``people - 1`` others there are, every meeting is with
      someone met before, and one other can be met again at most
      ``rounds - 1`` times: the person has at least ``ceil(excess / (rounds
      - 1))`` repeated partners, and each pair has two people;
    - hosts of one table meet in every round.
    """
    if rounds < 2 or tables < 1 or people < 2:
        return 0
    small, extra = divmod(people, tables)
    sizes = [small + 1] * extra + [small] * (tables - extra)
    two_rounds = sum(_spread_pairs(size, tables) for size in sizes)
    # Every person meets at least this many: the smaller tables every round.
    least_met = rounds * (small - 1)
    excess = max(0, least_met - (people - 1))
    per_person = -(-excess // (rounds - 1))
    one_person = -(-people * per_person // 2)
    # Counted over all people at once: sum of meetings against all pairs.
    meetings = rounds * sum(_pairs(size) for size in sizes)
    overall = max(0, -(-(meetings - _pairs(people)) // (rounds - 1)))
    hosts = [0] * tables
    for table in host_tables:
        if table is not None:
            hosts[table] += 1
    hosted = sum(_pairs(count) for count in hosts)
    return max(two_rounds, one_person, overall, hosted)


def repeat_meetings_lower_bound(people: int, tables: int, rounds: int) -> int:
    """A lower bound of the sum over pairs of ``m - 1`` (``m`` the rounds
    they share a table, when 1 or more), the search's last level: every pair
    meeting twice or more counts at least 1 (``repeated_pairs_lower_bound``),
    and the sum is the meetings less the pairs who meet, at most all pairs."""
    if rounds < 2:
        return 0
    small, extra = divmod(people, tables)
    sizes = [small + 1] * extra + [small] * (tables - extra)
    meetings = rounds * sum(_pairs(size) for size in sizes)
    return max(
        repeated_pairs_lower_bound(people, tables, rounds),
        meetings - _pairs(people),
        0,
    )


def _value(person: Person, attribute: str) -> str:
    return str(getattr(person, attribute)).strip().casefold()


def measure(request: Request, rounds: Rounds) -> Figures:
    """The figures of an arrangement of ``request.people`` (ids) in rounds."""
    people = request.people
    n = len(people)
    tables = request.tables
    index = {person.id: i for i, person in enumerate(people)}
    meet = bytearray(n * n)
    sizes_ok = True
    hosts_ok = True
    totals = {a: _totals(people, a) for a in ATTRIBUTES}
    balance = dict.fromkeys(BALANCED, 0)
    colleagues = 0
    unavoidable = 0
    visited: list[set[int]] = [set() for _ in range(n)]
    for round_tables in rounds:
        sizes = [len(group) for group in round_tables]
        if sizes and max(sizes) - min(sizes) > 1:
            sizes_ok = False
        for t, group in enumerate(round_tables):
            members = [index[i] for i in group]
            for i, p in enumerate(members):
                visited[p].add(t)
                host = people[p].host_table
                if host is not None and host != t:
                    hosts_ok = False
                for q in members[i + 1 :]:
                    meet[p * n + q] += 1
            for attribute in ATTRIBUTES:
                counts: dict[str, int] = {}
                for p in members:
                    value = _value(people[p], attribute)
                    if value:
                        counts[value] = counts.get(value, 0) + 1
                if attribute == "organisation":
                    colleagues += sum(_pairs(c) for c in counts.values())
                    continue
                for value, total in totals[attribute].items():
                    count = counts.get(value, 0)
                    low, high = total // tables, -(-total // tables)
                    balance[attribute] += max(0, count - high) + max(0, low - count)
        unavoidable += sum(
            _spread_pairs(c, tables) for c in totals["organisation"].values()
        )
    rounds_count = len(rounds)
    repeated = sum(meet.count(m) for m in range(2, rounds_count + 1))
    choosers = [
        p
        for p, person in enumerate(people)
        if person.topic_choices and person.host_table is None
    ]
    share = None
    if request.kind == Kind.TOPICS and choosers:
        got = sum(1 for p in choosers if people[p].topic_choices[0] in visited[p])
        share = got / len(choosers)
    return Figures(
        repeated_pairs=repeated,
        lower_bound=repeated_pairs_lower_bound(
            n, tables, len(rounds), [person.host_table for person in people]
        ),
        most_meetings=max(meet, default=0),
        repeat_meetings=meeting_cost(meet, rounds_count),
        repeat_meetings_lower_bound=repeat_meetings_lower_bound(n, tables, len(rounds)),
        balance_deviation=sum(balance.values()),
        balance_by_attribute=balance,
        same_organisation_pairs=colleagues,
        same_organisation_pairs_unavoidable=unavoidable,
        first_choice_share=share,
        sizes_within_one=sizes_ok,
        hosts_in_place=hosts_ok,
    )


def _totals(people: Sequence[Person], attribute: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for person in people:
        value = _value(person, attribute)
        if value:
            totals[value] = totals.get(value, 0) + 1
    return totals


# Building arrangements.


def _as_rounds(request: Request, tables_of: list[list[int]]) -> Rounds:
    result = []
    for row in tables_of:
        groups: list[list[str]] = [[] for _ in range(request.tables)]
        for p, table in enumerate(row):
            groups[table].append(request.people[p].id)
        result.append(tuple(tuple(group) for group in groups))
    return tuple(result)


def _random_tables(request: Request, rng: Random) -> list[list[int]]:
    """Each round independently: hosts at their table, the others shuffled
    into the remaining seats, sizes within one."""
    people = request.people
    tables = request.tables
    n = len(people)
    small, extra = divmod(n, tables)
    hosts = [0] * tables
    for person in people:
        if person.host_table is not None:
            hosts[person.host_table] += 1
    result = []
    for _ in range(request.rounds):
        big = [t for t in range(tables) if hosts[t] > small]
        others = [t for t in range(tables) if hosts[t] <= small]
        rng.shuffle(others)
        big += others[: extra - len(big)]
        seats: list[int] = []
        for t in range(tables):
            seats += [t] * ((small + (1 if t in big else 0)) - hosts[t])
        rng.shuffle(seats)
        row = [0] * n
        free = iter(seats)
        for p, person in enumerate(people):
            row[p] = person.host_table if person.host_table is not None else next(free)
        result.append(row)
    return result


def random_arrangement(request: Request) -> Arrangement:
    """A random arrangement with the same sizes and hosts (seeded)."""
    validate(request)
    rounds = _as_rounds(request, _random_tables(request, Random(request.seed)))
    return Arrangement(rounds, measure(request, rounds))


def _value_ids(people: Sequence[Person]) -> tuple[list[tuple[int, ...]], int]:
    """Each person's values as ids, one place per attribute (-1 where
    blank), and how many ids there are. Ids follow sorted values, never a
    set's order."""
    offset = 0
    ids: list[list[int]] = [[] for _ in people]
    for attribute in ATTRIBUTES:
        values = sorted(_totals(people, attribute))
        number = {value: offset + i for i, value in enumerate(values)}
        for p, person in enumerate(people):
            value = _value(person, attribute)
            ids[p].append(number[value] if value else -1)
        offset += len(values)
    return [tuple(v) for v in ids], max(1, offset)


def _mix_lower_bound(people: Sequence[Person], tables: int, rounds: int) -> int:
    """The mix level's cost when every value is spread as evenly as its
    numbers allow, each on its own (they may not all be at once)."""
    total = 0
    for attribute in ATTRIBUTES:
        for count in _totals(people, attribute).values():
            each, more = divmod(count, tables)
            total += more * (each + 1) ** 2 + (tables - more) * each**2
    return rounds * total


def _grid_start(request: Request, rng: Random) -> tuple[list[list[int]], str, bool]:
    """Cafe and teams: the design-theory grid, hosts in row 0 (which keeps
    its table), the others in order of constituency, organisation, region,
    language and gender, row after row: each table gets one person of each
    row in every round, and colleagues in one row never meet."""
    people = request.people
    n = len(people)
    tables = request.tables
    has_hosts = any(person.host_table is not None for person in people)
    layout = grid(n, tables, request.rounds, row_zero_stays=has_hosts)
    ghosts = layout.rows * tables - n
    ghost_points = {
        (layout.rows - 1) * tables + y for y in range(tables - ghosts, tables)
    }
    point_of = [-1] * n
    taken: set[int] = set()
    later_hosts = []
    for p, person in enumerate(people):
        host = person.host_table
        if host is None:
            continue
        if host not in taken:  # row 0, column host: point number host
            point_of[p] = host
            taken.add(host)
        else:
            later_hosts.append(p)
    tiebreak = [rng.random() for _ in people]
    others = sorted(
        (p for p in range(n) if point_of[p] < 0),
        key=lambda p: (
            p in later_hosts,
            *(_value(people[p], a) for a in ROW_ORDER),
            tiebreak[p],
        ),
    )
    free = (
        pt
        for pt in range(layout.rows * tables)
        if pt not in taken and pt not in ghost_points
    )
    for p in others:
        point_of[p] = next(free)
    tables_of = [
        [layout.tables_of[r][point_of[p]] for p in range(n)]
        for r in range(request.rounds)
    ]
    # A table's second host: brought to it round by round.
    if later_hosts:
        for row in tables_of:
            _seat_hosts(row, people, tables)
    return tables_of, layout.method, layout.no_pair_twice and not later_hosts


def _seat_hosts(row: list[int], people: Sequence[Person], tables: int) -> None:
    """Bring every host of one round's seating (``row``) to their table:
    by a swap with someone who does not host it, or else by a move; then
    even the sizes out by moving people who host nothing from the fullest
    tables to the emptiest."""
    for p, person in enumerate(people):
        host = person.host_table
        if host is None or row[p] == host:
            continue
        here = [q for q in range(len(people)) if row[q] == host]
        others = [q for q in here if people[q].host_table is None] or [
            q for q in here if people[q].host_table != host
        ]
        if others:
            row[others[0]] = row[p]
        row[p] = host
    sizes = [0] * tables
    for table in row:
        sizes[table] += 1
    while max(sizes) - min(sizes) > 1:
        emptiest = sizes.index(min(sizes))
        movable = [
            q
            for q in range(len(people))
            if people[q].host_table is None and sizes[row[q]] == max(sizes)
        ]
        q = movable[0]
        sizes[row[q]] -= 1
        sizes[emptiest] += 1
        row[q] = emptiest


def _topic_start(request: Request, rng: Random) -> list[list[int]]:
    """Working groups: round by round, the tables with most demand get the
    extra seats, then each person (in a seeded order) their best choice not
    yet visited that has room, choice level by choice level; the rest where
    most room is left. This seats as many people at their first choice as
    the sizes allow."""
    people = request.people
    n = len(people)
    tables = request.tables
    small, extra = divmod(n, tables)
    order = list(range(n))
    rng.shuffle(order)
    visited: list[set[int]] = [set() for _ in people]
    result = []
    for _ in range(request.rounds):
        row = [-1] * n
        room = [small] * tables
        for p, person in enumerate(people):
            if person.host_table is not None:
                row[p] = person.host_table
                room[person.host_table] -= 1
        wishes: list[list[int]] = [
            [t for t in person.topic_choices if t not in visited[p]]
            if person.host_table is None
            else []
            for p, person in enumerate(people)
        ]
        demand = [0] * tables
        for wish in wishes:
            if wish:
                demand[wish[0]] += 1
        big = [t for t in range(tables) if room[t] < 0]
        candidates = sorted(
            (t for t in range(tables) if room[t] >= 0),
            key=lambda t: (-(demand[t] - room[t]), t),
        )
        big += candidates[: extra - len(big)]
        for t in big:
            room[t] += 1
        level = 0
        while any(row[p] < 0 and len(wishes[p]) > level for p in order):
            for p in order:
                if row[p] < 0 and len(wishes[p]) > level and room[wishes[p][level]] > 0:
                    row[p] = wishes[p][level]
                    room[row[p]] -= 1
            level += 1
        for p in order:
            if row[p] < 0:
                t = max(range(tables), key=lambda t: (room[t], -t))
                row[p] = t
                room[t] -= 1
        for p in range(n):
            visited[p].add(row[p])
        result.append(row)
    return result


def _topics(request: Request) -> Topics:
    people = request.people
    tables = request.tables
    most = max((len(p.topic_choices) for p in people), default=0)
    unlisted = (most + 1) ** 2
    rank_cost = []
    first = []
    for person in people:
        if person.host_table is not None or not person.topic_choices:
            rank_cost += [0] * tables
            first.append(-1)
            continue
        costs = [unlisted] * tables
        for rank, table in reversed(list(enumerate(person.topic_choices))):
            costs[table] = rank * rank
        rank_cost += costs
        first.append(person.topic_choices[0])
    # Over one move, the rank costs change by at most 2·rounds·unlisted and
    # the first choices by 2: the weights keep the sub-levels in order.
    first_weight = 2 * request.rounds * unlisted + 1
    revisit_weight = 2 * first_weight + first_weight * 2 * request.rounds + 1
    return Topics(rank_cost, first, first_weight, revisit_weight)


def _budget(request: Request) -> int:
    """Moves the search may try: more with more people and rounds, the same
    on any machine (unlike a time limit)."""
    return int(request.effort * max(80_000, 250 * len(request.people) * request.rounds))


def plan(request: Request) -> Plan:
    """The best arrangement the planner finds for ``request``."""
    started = time.monotonic()
    cpu_started = time.process_time()
    validate(request)
    rng = Random(request.seed)
    people = request.people
    if request.kind == Kind.TOPICS:
        start = _topic_start(request, rng)
        method = "topic choices, level by level"
        flawless = False
    else:
        start, method, flawless = _grid_start(request, rng)
    values, value_count = _value_ids(people)
    topics = _topics(request) if request.kind == Kind.TOPICS else None
    state = State(
        tables=request.tables,
        tables_of=start,
        values=values,
        value_count=value_count,
        fixed=[person.host_table is not None for person in people],
        topics=topics,
    )
    lower = (
        _topic_lower_bound(request, topics) if topics else 0,
        _mix_lower_bound(people, request.tables, request.rounds),
        0
        if flawless
        else repeat_meetings_lower_bound(len(people), request.tables, request.rounds),
    )
    iterations = _budget(request)
    # The search has most of the time limit; settling and measuring the rest.
    deadline = started + 0.85 * request.time_limit
    outcome = improve(
        state,
        rng=rng,
        iterations=iterations,
        lower=lower,
        deadline=deadline,
    )
    settled = State(
        tables=request.tables,
        tables_of=outcome.tables_of,
        values=values,
        value_count=value_count,
        fixed=state.fixed,
        topics=topics,
    )
    # Settling is quick, and what makes the spread of values as even as the
    # numbers allow: it runs even when the search used all its time.
    settle(settled, max(started + request.time_limit, time.monotonic() + 0.25))
    rounds = _as_rounds(request, settled.tables_of)
    arrangement = Arrangement(rounds, measure(request, rounds))
    random_rounds = _as_rounds(request, _random_tables(request, Random(request.seed)))
    return Plan(
        request=request,
        arrangement=arrangement,
        random=Arrangement(random_rounds, measure(request, random_rounds)),
        seconds=time.monotonic() - started,
        cpu_seconds=time.process_time() - cpu_started,
        time_limited=outcome.time_limited,
        method=method,
        iterations=outcome.iterations,
    )


def _topic_lower_bound(request: Request, topics: Topics | None) -> int:
    """With one round: the people who cannot all get their first choice
    (the tables' seats, the extra ones given where demand is highest), each
    at least a second choice. With more rounds, 0."""
    if topics is None or request.rounds != 1:
        return 0
    tables = request.tables
    small, extra = divmod(len(request.people), tables)
    room = [small] * tables
    demand = [0] * tables
    for person in request.people:
        if person.host_table is not None:
            room[person.host_table] -= 1
        elif person.topic_choices:
            demand[person.topic_choices[0]] += 1
    extras_left = extra - sum(1 for t in range(tables) if room[t] < 0)
    room = [r + 1 if r < 0 else r for r in room]
    short = sorted((max(0, demand[t] - room[t]) for t in range(tables)), reverse=True)
    missed = sum(short) - sum(1 for s in short[:extras_left] if s > 0)
    return missed * (topics.first_weight + 1)


# The back office's operations on an arrangement.


def add_late_arrival(
    request: Request, rounds: Rounds, newcomer: Person
) -> tuple[Request, Arrangement]:
    """Seat ``newcomer`` in every round at one of the least full tables,
    without moving anyone: of those tables, the one best for their topic
    choices (working groups), the mix, then the people they would meet again.
    A host is seated at their table, which must be among the least full."""
    grown = replace(request, people=(*request.people, newcomer))
    validate(grown)
    people = grown.people
    index = {person.id: i for i, person in enumerate(people)}
    values, _ = _value_ids(people)
    mine = {g for g in values[-1] if g >= 0}
    met: dict[str, int] = {}
    new_rounds = []
    for r, round_tables in enumerate(rounds):
        smallest = min(len(group) for group in round_tables)
        options = [t for t, group in enumerate(round_tables) if len(group) == smallest]
        if newcomer.host_table is not None:
            if newcomer.host_table not in options:
                raise PlanError(
                    "host_table_full",
                    "Table %(table)d is among the fullest in round %(round)d: "
                    "its host cannot join it without unbalancing the tables.",
                    table=newcomer.host_table + 1,
                    round=r + 1,
                )
            options = [newcomer.host_table]

        def badness(
            t: int, round_tables: tuple[tuple[str, ...], ...] = round_tables
        ) -> tuple[int, int, int, int]:
            group = round_tables[t]
            choices = newcomer.topic_choices
            rank = choices.index(t) if t in choices else len(choices)
            topic = rank if grown.kind == Kind.TOPICS else 0
            mix = sum(1 for i in group for g in values[index[i]] if g in mine)
            again = sum(met.get(i, 0) for i in group)
            return (topic, mix, again, t)

        chosen = min(options, key=badness)
        for i in round_tables[chosen]:
            met[i] = met.get(i, 0) + 1
        new_rounds.append(
            tuple(
                (*group, newcomer.id) if t == chosen else group
                for t, group in enumerate(round_tables)
            )
        )
    result = tuple(new_rounds)
    return grown, Arrangement(result, measure(grown, result))


def move_person(
    request: Request, rounds: Rounds, person_id: str, round_number: int, table: int
) -> Arrangement:
    """Move one person by hand, in one round (0-based), to another table
    (0-based); nobody else moves. The figures are measured again (the sizes
    may then differ by more than one, which the figures say)."""
    if not 0 <= round_number < len(rounds):
        raise PlanError(
            "round_number", "There is no round %(round)d.", round=round_number + 1
        )
    if not 0 <= table < request.tables:
        raise PlanError("table_number", "There is no table %(table)d.", table=table + 1)
    if not any(person_id in group for group in rounds[round_number]):
        raise PlanError("unknown_id", "Nobody has the id %(id)s.", id=person_id)
    moved = []
    for r, round_tables in enumerate(rounds):
        if r != round_number:
            moved.append(round_tables)
            continue
        stripped = [tuple(i for i in group if i != person_id) for group in round_tables]
        stripped[table] = (*stripped[table], person_id)
        moved.append(tuple(stripped))
    result = tuple(moved)
    return Arrangement(result, measure(request, result))
