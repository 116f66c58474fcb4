"""Starting arrangements from design theory: rounds in which nobody meets the
same person twice, where the numbers allow it.

The people are laid out on a grid of ``rows`` rows and ``tables`` columns;
the point in row ``x`` and column ``y`` sits, in the round of slope ``m``, at
table ``y + m·x``. Two points of one row never share a table (their columns
differ). Two points of different rows share a table in the round of slope
``m`` exactly when ``y1 - y2 = m·(x1 - x2)``:

- over a finite field (``tables`` a prime power ``q``), one slope at most
  fits each pair, so ``q`` rounds have no pair meeting twice: the parallel
  classes of the affine plane AG(2, q), or of its first ``rows`` rows. With
  as many rows as tables (``n = q²``), the rows themselves are one more
  round: 9 people at 3 tables over 4 rounds, 16 at 4 over 5, 25 at 5 over 6;
- over the integers modulo ``tables``, two slopes ``m`` and ``m'`` bring a
  pair together twice only if ``(m - m')·(x1 - x2)`` is a multiple of the
  number of tables; slopes are chosen so that it never is (60 tables of 7
  over 5 rounds: the products stay below 60), and as many as can be.

When ``rows · tables`` exceeds the number of people, the missing points
("ghosts") are all in the last row: points of one row never share a table,
so no table misses more than one person and sizes stay within one. Row 0
sits at the same table in every slope round: the place of table hosts.
"""

from dataclasses import dataclass
from functools import cache
from itertools import product

# Building a field's tables costs q² steps: beyond this, a prime power that
# is not a prime falls back to the integers modulo q.
LARGEST_FIELD_BUILT = 256


@dataclass(frozen=True)
class Grid:
    """Where each grid point sits: ``tables_of[round][x * tables + y]``."""

    rows: int
    tables: int
    tables_of: tuple[tuple[int, ...], ...]
    # How the rounds were made, for the record ("AG(2,8)", "Z/60", ...).
    method: str
    # True when no two points share a table in more than one round.
    no_pair_twice: bool


def prime_power(q: int) -> tuple[int, int] | None:
    """``(p, k)`` with ``p**k == q`` and ``p`` prime, or None."""
    if q < 2:
        return None
    for p in range(2, q + 1):
        if q % p == 0:
            k = 0
            while q % p == 0:
                q //= p
                k += 1
            return (p, k) if q == 1 else None
    return None  # pragma: no cover - the loop always finds a divisor


def _poly_mod(a: list[int], modulus: list[int], p: int) -> list[int]:
    """``a`` modulo the monic ``modulus``, coefficients lowest degree first."""
    a = a[:]
    degree = len(modulus) - 1
    for i in range(len(a) - 1, degree - 1, -1):
        factor = a[i] % p
        if factor:
            for j in range(degree + 1):
                a[i - degree + j] = (a[i - degree + j] - factor * modulus[j]) % p
    return [c % p for c in a[:degree]] + [0] * max(0, degree - len(a))


def _irreducible(p: int, k: int) -> list[int]:
    """The first monic polynomial of degree ``k`` over GF(p) with no factor of
    degree 1 to k/2 (coefficients lowest first)."""
    for low in product(range(p), repeat=k):
        candidate = [*reversed(low), 1]
        if candidate[0] == 0:
            continue
        if all(
            any(_poly_mod(candidate, [*divisor, 1], p))
            for degree in range(1, k // 2 + 1)
            for divisor in (list(c) for c in product(range(p), repeat=degree))
        ):
            return candidate
    raise ValueError(f"no irreducible polynomial of degree {k} over GF({p})")


@cache
def field_tables(
    q: int,
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Addition and multiplication tables of GF(q), elements 0..q-1 (their
    base-p digits are a polynomial's coefficients)."""
    found = prime_power(q)
    if found is None:
        raise ValueError(f"{q} is not a prime power")
    p, k = found

    def digits(a: int) -> list[int]:
        return [(a // p**i) % p for i in range(k)]

    def number(coefficients: list[int]) -> int:
        return sum(c * p**i for i, c in enumerate(coefficients))

    modulus = _irreducible(p, k) if k > 1 else [0, 1]
    add = tuple(
        tuple(
            number([(x + y) % p for x, y in zip(digits(a), digits(b), strict=True)])
            for b in range(q)
        )
        for a in range(q)
    )
    multiply = []
    for a in range(q):
        da = digits(a)
        row = []
        for b in range(q):
            db = digits(b)
            full = [0] * (2 * k - 1)
            for i, x in enumerate(da):
                for j, y in enumerate(db):
                    full[i + j] += x * y
            row.append(number(_poly_mod(full, modulus, p) if k > 1 else [full[0] % p]))
        multiply.append(tuple(row))
    return add, tuple(multiply)


def _cyclic_slopes(tables: int, rows: int, rounds: int) -> tuple[list[int], bool]:
    """Slopes modulo ``tables`` such that no pair of rows meets twice, as
    many as exist up to ``rounds`` (taken in order), completed with the other
    slopes if too few; and whether the first ``rounds`` were all good."""
    chosen: list[int] = []
    for m in range(tables):
        if len(chosen) == rounds:
            break
        if all(
            ((m - other) * d) % tables != 0 for other in chosen for d in range(1, rows)
        ):
            chosen.append(m)
    good = len(chosen) == rounds
    for m in range(tables):
        if len(chosen) == rounds:
            break
        if m not in chosen:
            chosen.append(m)
    while len(chosen) < rounds:  # more rounds than tables: slopes come back
        chosen.append(chosen[len(chosen) % tables])
    return chosen, good


def grid(people: int, tables: int, rounds: int, *, row_zero_stays: bool) -> Grid:
    """A grid of ``ceil(people / tables)`` rows over ``tables`` tables, with
    ``rounds`` rounds. ``row_zero_stays``: row 0 must keep its table in every
    round (it holds hosts), which rules out the extra round of rows."""
    rows = -(-people // tables)
    size = rows * tables
    found = prime_power(tables)
    use_field = found is not None and found[1] > 1 and tables <= LARGEST_FIELD_BUILT
    use_field = use_field or (found is not None and found[1] == 1)
    rows_round = rows == tables and size == people and not row_zero_stays
    if use_field and rows <= tables:
        add, multiply = field_tables(tables) if found and found[1] > 1 else ((), ())
        slope_rounds = min(rounds, tables)
        slopes = list(range(slope_rounds))
        layouts: list[tuple[int, ...]] = []
        for m in slopes:
            if add:
                layout = tuple(
                    add[y][multiply[m][x]] for x in range(rows) for y in range(tables)
                )
            else:
                layout = tuple(
                    (y + m * x) % tables for x in range(rows) for y in range(tables)
                )
            layouts.append(layout)
        good = rounds <= tables
        if rounds > tables and rows_round:
            layouts.append(tuple(x for x in range(rows) for _y in range(tables)))
            good = rounds == tables + 1
        while len(layouts) < rounds:
            layouts.append(layouts[len(layouts) % max(1, slope_rounds)])
        kind = "prime" if found and found[1] == 1 else "prime power"
        return Grid(
            rows=rows,
            tables=tables,
            tables_of=tuple(layouts),
            method=f"affine plane AG(2, {tables}) ({kind})",
            no_pair_twice=good,
        )
    slope_count = rounds
    if rows_round and rounds >= 2:
        slope_count = rounds - 1
    slopes, good = _cyclic_slopes(tables, rows, slope_count)
    layouts = [
        tuple((y + m * x) % tables for x in range(rows) for y in range(tables))
        for m in slopes
    ]
    if slope_count < rounds:
        layouts.append(tuple(x for x in range(rows) for _y in range(tables)))
    return Grid(
        rows=rows,
        tables=tables,
        tables_of=tuple(layouts),
        method=f"cyclic rounds modulo {tables}",
        no_pair_twice=good,
    )
