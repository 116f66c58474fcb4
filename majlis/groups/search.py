"""The local search that improves an arrangement, with costs updated move by
move (never recomputed whole).

An arrangement is ``tables_of[round][person]``. Its cost has three levels,
compared in order (lexicographically), as the organiser's priorities are:

1. topics (working groups only): a person at the same topic twice, then a
   person without their first choice, then the rank of each topic they got in
   their list (squared: a third choice costs 4, a second 1);
2. mix: for each round, table and value of organisation, constituency,
   region, language and gender, the square of how many people share it there.
   With the table sizes fixed, this sum is smallest exactly when each value is
   spread as evenly as its numbers allow (no table holds two more of it than
   another), and for an organisation it counts the pairs of colleagues seated
   together;
3. meetings: for each pair of people who share a table in ``m`` rounds,
   ``m - 1`` (a pair together twice counts 1, in three rounds 2): the
   meetings with someone met before. The meetings are as many in any
   arrangement of the same sizes, so this is smallest exactly when people
   meet the most different people; 0 when no pair meets twice.

Moves, all of which keep sizes within one and hosts at their table:

- swap two people's tables in one round;
- move one person, in one round, from a table of the larger size to one of
  the smaller size;
- swap two people's whole schedules (every round at once): the pairs who meet
  and how often are the same afterwards, only who they are changes, so this
  improves the mix without ever making a pair meet twice.

A move that makes the topics better is taken whatever it does below; one
that makes them worse is not. Below them, a move changes ``mix_weight · mix +
meetings`` (one step of the mix outweighs whatever a single move can do to the
meetings): it is taken if that does not rise, and if it rises by ``d`` with
probability ``exp(-d / temperature)``. The temperature falls over the search
(simulated annealing), so that it ends as a descent that puts the mix first.
Changes in one round are tried more often on people who sit with someone they
met before. The best arrangement seen, by the levels in order, is kept. The
search stops at the lower bounds of every level or after its budget of moves;
behind the clock, it cools by the clock and stops at the time limit.

``settle`` then makes a last, deterministic pass on the mix.
"""

import math
import time
from dataclasses import dataclass
from random import Random

# The share of the search's changes that swap two whole schedules.
SCHEDULE_SHARE = 0.3
# A change in one round is tried, more often, on someone who meets a person
# again: up to this many more draws look for one (fewer repeated pairs for the
# same time, on the benchmark's rosters).
FOCUS = 6


@dataclass
class Topics:
    """Topic preferences, for working groups: ``rank_cost[p * tables + t]``,
    ``first[p]`` (-1 for none) and the weights of the sub-levels."""

    rank_cost: list[int]
    first: list[int]
    first_weight: int
    revisit_weight: int


def meeting_cost(meet: bytearray, rounds: int) -> int:
    """The sum of ``m - 1`` over the counts ``m`` of ``meet`` above 1."""
    return sum(meet.count(m) * (m - 1) for m in range(2, rounds + 1))


@dataclass(frozen=True)
class Outcome:
    tables_of: list[list[int]]
    cost: tuple[int, int, int]
    iterations: int
    # The clock, not the budget of moves, set the pace (see improve).
    time_limited: bool


class State:
    def __init__(
        self,
        *,
        tables: int,
        tables_of: list[list[int]],
        values: list[tuple[int, ...]],
        value_count: int,
        fixed: list[bool],
        topics: Topics | None,
    ) -> None:
        self.n = n = len(values)
        self.t = tables
        self.r = len(tables_of)
        self.g = value_count
        # ``values[p]``: one id per attribute, -1 where blank (ids differ
        # between attributes, so two people share a value only in the same
        # place); ``self.values[p]`` the ids alone.
        self.aligned = values
        self.values = [tuple(g for g in row if g >= 0) for row in values]
        self.value_sets = [frozenset(v) for v in self.values]
        self.fixed = fixed
        self.topics = topics
        self.tables_of = [row[:] for row in tables_of]
        self.members: list[list[list[int]]] = []
        self.counts = [0] * (self.r * tables * value_count)
        for r, row in enumerate(self.tables_of):
            round_members: list[list[int]] = [[] for _ in range(tables)]
            for p, table in enumerate(row):
                round_members[table].append(p)
                base = (r * tables + table) * value_count
                for g in values[p]:
                    if g >= 0:
                        self.counts[base + g] += 1
            self.members.append(round_members)
        self.track_meetings = self.r > 1
        self.meet = bytearray(n * n if self.track_meetings else 0)
        if self.track_meetings:
            for round_members in self.members:
                for group in round_members:
                    for i, p in enumerate(group):
                        for q in group[i + 1 :]:
                            self.meet[p * n + q] += 1
                            self.meet[q * n + p] += 1
        # How many others each person shares a table with in two rounds or
        # more (kept up to date by _relocate).
        self.repeats = [
            sum(1 for m in self.meet[p * n : (p + 1) * n] if m >= 2)
            if self.track_meetings
            else 0
            for p in range(n)
        ]
        self.visits = [0] * (n * tables) if topics else []
        if topics:
            for row in self.tables_of:
                for p, table in enumerate(row):
                    self.visits[p * tables + table] += 1
        self.topic_cost = self._topic_total()
        self.mix_cost = sum(c * c for c in self.counts)
        self.meeting_cost = self._meeting_total()

    # Totals, from scratch (at the start, and in tests against the deltas).

    def _topic_total(self) -> int:
        if not self.topics:
            return 0
        return sum(
            self._person_topic_cost(p, self._visit_row(p)) for p in range(self.n)
        )

    def _visit_row(self, p: int) -> list[int]:
        return self.visits[p * self.t : (p + 1) * self.t]

    def _person_topic_cost(self, p: int, visits: list[int]) -> int:
        topics = self.topics
        if topics is None:
            return 0
        t = self.t
        cost = 0
        for table, v in enumerate(visits):
            if v:
                cost += v * topics.rank_cost[p * t + table]
                cost += topics.revisit_weight * (v * (v - 1) // 2)
        first = topics.first[p]
        if first >= 0 and visits[first] == 0:
            cost += topics.first_weight
        return cost

    def _meeting_total(self) -> int:
        return meeting_cost(self.meet, self.r) // 2

    def cost(self) -> tuple[int, int, int]:
        return (self.topic_cost, self.mix_cost, self.meeting_cost)

    def recomputed_cost(self) -> tuple[int, int, int]:
        return (
            self._topic_total(),
            sum(c * c for c in self.counts),
            self._meeting_total(),
        )

    # Deltas of one round's move (q = -1) or swap.

    def topic_delta(self, p: int, a: int, b: int) -> int:
        """Topic cost of moving p from table a to table b in one round."""
        topics = self.topics
        if topics is None:
            return 0
        base = p * self.t
        va = self.visits[base + a]
        vb = self.visits[base + b]
        delta = topics.rank_cost[base + b] - topics.rank_cost[base + a]
        delta += topics.revisit_weight * (vb - va + 1)
        first = topics.first[p]
        if first == a and va == 1:
            delta += topics.first_weight
        elif first == b and vb == 0:
            delta -= topics.first_weight
        return delta

    def mix_delta(self, r: int, p: int, a: int, q: int, b: int) -> int:
        counts = self.counts
        base_a = (r * self.t + a) * self.g
        base_b = (r * self.t + b) * self.g
        delta = 0
        if q < 0:
            for g in self.values[p]:
                delta += counts[base_b + g] - counts[base_a + g] + 1
            return 2 * delta
        for gp, gq in zip(self.aligned[p], self.aligned[q], strict=True):
            if gp != gq:
                if gp >= 0:
                    delta += counts[base_b + gp] - counts[base_a + gp] + 1
                if gq >= 0:
                    delta += counts[base_a + gq] - counts[base_b + gq] + 1
        return 2 * delta

    def meeting_delta(self, r: int, p: int, a: int, q: int, b: int) -> int:
        """Meeting cost of moving p from table a to b in round r (q = -1), or
        of swapping p with q at b: joining someone already met costs 1,
        leaving someone met in another round too saves 1."""
        meet = self.meet
        n = self.n
        pn = p * n
        delta = 0
        if q < 0:
            for z in self.members[r][b]:
                if meet[pn + z]:
                    delta += 1
            for z in self.members[r][a]:
                if z != p and meet[pn + z] >= 2:
                    delta -= 1
            return delta
        qn = q * n
        for z in self.members[r][b]:
            if z != q:
                delta += (meet[pn + z] >= 1) - (meet[qn + z] >= 2)
        for z in self.members[r][a]:
            if z != p:
                delta += (meet[qn + z] >= 1) - (meet[pn + z] >= 2)
        return delta

    # Applying moves.

    def _relocate(self, r: int, p: int, a: int, b: int) -> None:
        """p leaves table a for table b in round r (members, counts, meetings,
        visits; the costs are the caller's)."""
        members_a = self.members[r][a]
        members_a.remove(p)
        if self.track_meetings:
            meet = self.meet
            repeats = self.repeats
            n = self.n
            pn = p * n
            for z in members_a:
                if meet[pn + z] == 2:
                    repeats[p] -= 1
                    repeats[z] -= 1
                meet[pn + z] -= 1
                meet[z * n + p] -= 1
            for z in self.members[r][b]:
                if meet[pn + z] == 1:
                    repeats[p] += 1
                    repeats[z] += 1
                meet[pn + z] += 1
                meet[z * n + p] += 1
        self.members[r][b].append(p)
        self.tables_of[r][p] = b
        counts = self.counts
        base_a = (r * self.t + a) * self.g
        base_b = (r * self.t + b) * self.g
        for g in self.values[p]:
            counts[base_a + g] -= 1
            counts[base_b + g] += 1
        if self.topics:
            self.visits[p * self.t + a] -= 1
            self.visits[p * self.t + b] += 1

    def apply(
        self, r: int, p: int, a: int, q: int, b: int, delta: tuple[int, int, int]
    ) -> None:
        self._relocate(r, p, a, b)
        if q >= 0:
            self._relocate(r, q, b, a)
        self.topic_cost += delta[0]
        self.mix_cost += delta[1]
        self.meeting_cost += delta[2]

    def schedule_deltas(self, p: int, q: int) -> tuple[int, int]:
        """Topic and mix deltas of exchanging p's and q's whole schedules (the
        meetings' cost does not change)."""
        topic = 0
        if self.topics:
            t = self.t
            new_p = [0] * t
            new_q = [0] * t
            for row in self.tables_of:
                new_p[row[q]] += 1
                new_q[row[p]] += 1
            topic = (
                self._person_topic_cost(p, new_p)
                + self._person_topic_cost(q, new_q)
                - self._person_topic_cost(p, self._visit_row(p))
                - self._person_topic_cost(q, self._visit_row(q))
            )
        mix = 0
        for r, row in enumerate(self.tables_of):
            a = row[p]
            b = row[q]
            if a != b:
                mix += self.mix_delta(r, p, a, q, b)
        return topic, mix

    def apply_schedule_swap(self, p: int, q: int, topic: int, mix: int) -> None:
        for r, row in enumerate(self.tables_of):
            a = row[p]
            b = row[q]
            if a != b:
                self._relocate(r, p, a, b)
                self._relocate(r, q, b, a)
        self.topic_cost += topic
        self.mix_cost += mix


def mix_weight(state: State) -> int:
    """How much one step of the mix (a change of 2 in its sum of squares)
    outweighs the meetings: more than one move can change them by (each of
    the two people swapped leaves and joins at most ``largest table`` people,
    each a change of at most 1). ``largest · (rounds - 1) + 1`` is more than
    that, and the scale the search's temperatures are set for."""
    largest = max(
        (len(group) for groups in state.members for group in groups), default=1
    )
    return largest * max(1, state.r - 1) + 1


def improve(
    state: State,
    *,
    rng: Random,
    iterations: int,
    lower: tuple[int, int, int],
    deadline: float,
    start_temperature: float = 2.0,
    end_temperature: float = 0.05,
) -> Outcome:
    """Improve ``state`` in place by simulated annealing; returns the best
    arrangement seen.

    Topics come first: a move that worsens them is refused, one that
    improves them taken. Below them, a move changes ``mix_weight · mix +
    meetings``; it is taken if that does not rise, and if it rises by ``d``
    with probability ``exp(-d / temperature)``. The temperature falls from
    ``start_temperature · mix_weight`` (a step of the mix is often allowed,
    so the search can leave a poor mix) to ``end_temperature`` (then no step
    of the mix is, and a meeting more rarely), evenly on a log scale over the
    ``iterations``, or over the time left until ``deadline`` if the clock
    runs faster (the outcome then says so: another run may differ). The best
    arrangement is the best by the levels in order.
    """
    movable = [p for p in range(state.n) if not state.fixed[p]]
    best = state.cost()
    best_tables = [row[:] for row in state.tables_of]
    if len(movable) < 2 or state.t < 2 or best <= lower:
        return Outcome(best_tables, best, 0, False)
    rounds = state.r
    random = rng.random
    exp = math.exp
    tables = state.t
    fixed = state.fixed
    members = state.members
    tables_of = state.tables_of
    with_topics = state.topics is not None
    with_meetings = state.track_meetings
    aligned = state.aligned
    counts = state.counts
    g_count = state.g
    repeats = state.repeats
    weight = mix_weight(state) if with_meetings else 1
    schedule_share = SCHEDULE_SHARE if rounds > 1 else 0.0
    hot = start_temperature * weight
    cooling = math.log(end_temperature / hot)
    temperature = hot
    begun = time.monotonic()
    span = max(deadline - begun, 1e-9)
    hurried = False
    iteration = 0
    for iteration in range(1, iterations + 1):
        if iteration & 255 == 0:
            progress = iteration / iterations
            # Well behind the clock (a slow or busy machine: a tenth of the
            # time limit, not a moment's pause): cool by the clock from then
            # on, so that the search still ends cold at the time limit.
            by_clock = (time.monotonic() - begun) / span
            if hurried or by_clock > progress + 0.1:
                hurried = True
                progress = max(progress, by_clock)
                if progress >= 1:
                    break
            temperature = hot * exp(cooling * progress)
        if schedule_share and random() < schedule_share:
            p = movable[int(random() * len(movable))]
            q = movable[int(random() * len(movable))]
            if p == q:
                continue
            if with_topics:
                topic, mix = state.schedule_deltas(p, q)
            else:
                # schedule_deltas without topics, inlined: the hottest path.
                topic = mix = 0
                pairs = [
                    (gp, gq)
                    for gp, gq in zip(aligned[p], aligned[q], strict=True)
                    if gp != gq
                ]
                if not pairs:
                    continue
                for row_base, row in enumerate(tables_of):
                    a = row[p]
                    b = row[q]
                    if a != b:
                        base_a = (row_base * tables + a) * g_count
                        base_b = (row_base * tables + b) * g_count
                        for gp, gq in pairs:
                            if gp >= 0:
                                mix += counts[base_b + gp] - counts[base_a + gp] + 1
                            if gq >= 0:
                                mix += counts[base_a + gq] - counts[base_b + gq] + 1
                mix *= 2
            if topic > 0:
                continue
            if topic == 0 and mix > 0 and random() >= exp(-mix * weight / temperature):
                continue
            state.apply_schedule_swap(p, q, topic, mix)
        else:
            r = int(random() * rounds)
            p = movable[int(random() * len(movable))]
            a = tables_of[r][p]
            if with_meetings:
                # Prefer someone who meets a person again.
                for _ in range(FOCUS):
                    if repeats[p]:
                        break
                    p = movable[int(random() * len(movable))]
                a = tables_of[r][p]
            b = int(random() * (tables - 1))
            if b >= a:
                b += 1
            round_members = members[r]
            q = -1
            if len(round_members[a]) <= len(round_members[b]):
                group = round_members[b]
                q = group[int(random() * len(group))]
                if fixed[q]:
                    continue
            topic = 0
            if with_topics:
                topic = state.topic_delta(p, a, b)
                if q >= 0:
                    topic += state.topic_delta(q, b, a)
                if topic > 0:
                    continue
            mix = state.mix_delta(r, p, a, q, b)
            if topic == 0 and mix * weight > temperature * 20:
                continue  # would be refused whatever the meetings
            meetings = state.meeting_delta(r, p, a, q, b) if with_meetings else 0
            if topic == 0:
                change = mix * weight + meetings
                if change > 0 and random() >= exp(-change / temperature):
                    continue
            state.apply(r, p, a, q, b, (topic, mix, meetings))
        cost = (state.topic_cost, state.mix_cost, state.meeting_cost)
        if cost < best:
            best = cost
            best_tables = [row[:] for row in tables_of]
            if best <= lower:
                break
    return Outcome(best_tables, best, iteration, hurried)


def settle(state: State, deadline: float) -> None:
    """A last, deterministic pass over ``state``: wherever a value (an
    organisation, a constituency...) is at two tables of a round whose counts
    differ by two or more, weigh every move and swap of one of its people at
    the fuller table with someone at the emptier one, and make the best if it
    improves the topics or the mix (the levels in order); again until none
    does.

    With one attribute filled in, such a move always exists while a value is
    spread unevenly (one of its people at the fuller table changes place with
    someone of a value less frequent there), so the search ends with every
    value spread as evenly as its numbers allow."""
    tables = state.t
    g_count = state.g
    counts = state.counts
    members = state.members
    fixed = state.fixed
    with_topics = state.topics is not None
    changed = True
    while changed and time.monotonic() <= deadline:
        changed = False
        for r in range(state.r):
            for g in range(g_count):
                column = [counts[(r * tables + t) * g_count + g] for t in range(tables)]
                high = max(range(tables), key=column.__getitem__)
                low = min(range(tables), key=column.__getitem__)
                if column[high] - column[low] < 2:
                    continue
                options: list[int] = [q for q in members[r][low] if not fixed[q]]
                if len(members[r][high]) > len(members[r][low]):
                    options.append(-1)
                chosen: tuple[int, int] | None = None
                chosen_delta = (0, 0, 0)
                for p in members[r][high]:
                    if fixed[p] or g not in state.value_sets[p]:
                        continue
                    for q in options:
                        topic = 0
                        if with_topics:
                            topic = state.topic_delta(p, high, low)
                            if q >= 0:
                                topic += state.topic_delta(q, low, high)
                        mix = state.mix_delta(r, p, high, q, low)
                        if (topic, mix) >= (0, 0):
                            continue
                        meetings = (
                            state.meeting_delta(r, p, high, q, low)
                            if state.track_meetings
                            else 0
                        )
                        delta = (topic, mix, meetings)
                        if chosen is None or delta < chosen_delta:
                            chosen = (p, q)
                            chosen_delta = delta
                if chosen is not None:
                    state.apply(r, chosen[0], high, chosen[1], low, chosen_delta)
                    changed = True
