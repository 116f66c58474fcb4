"""Fictitious but realistic rosters, for the benchmark and the tests: the
delegates of a tripartite conference, several from each organisation.

- constituencies: governments (about 40 %), employers and workers (about 20 %
  each), others (UN agencies, NGOs, researchers: about 20 %);
- the ILO's five regions, with the languages their delegates speak (English,
  French, Spanish, Arabic);
- organisations of one to five delegates, who share its constituency,
  region and, mostly, language; women and men in about equal numbers.
"""

from random import Random

from majlis.groups.planner import Person

CONSTITUENCIES = (
    ("governments", 0.4, "Ministry of Labour"),
    ("employers", 0.2, "Employers' Federation"),
    ("workers", 0.2, "Trade Union Confederation"),
    ("others", 0.2, "Network"),
)
REGIONS = (
    ("africa", 0.3, (("en", 0.5), ("fr", 0.4), ("ar", 0.1))),
    ("americas", 0.2, (("es", 0.6), ("en", 0.4))),
    ("arab-states", 0.1, (("ar", 0.8), ("en", 0.1), ("fr", 0.1))),
    ("asia-pacific", 0.2, (("en", 1.0),)),
    ("europe-central-asia", 0.2, (("en", 0.6), ("fr", 0.3), ("es", 0.1))),
)


def _pick[T](rng: Random, weighted: tuple[tuple[T, float], ...]) -> T:
    roll = rng.random()
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def roster(size: int, seed: int = 0) -> tuple[Person, ...]:
    """``size`` delegates, the same for the same seed."""
    rng = Random(seed)
    people: list[Person] = []
    number = 0
    while len(people) < size:
        number += 1
        constituency, organisation_name = _pick(
            rng, tuple(((c, name), w) for c, w, name in CONSTITUENCIES)
        )
        region, languages = _pick(
            rng, tuple(((r, langs), w) for r, w, langs in REGIONS)
        )
        language = _pick(rng, languages)
        organisation = f"{organisation_name} {number:03d}"
        for _ in range(min(size - len(people), rng.choice((1, 1, 2, 2, 3, 3, 4, 5)))):
            spoken = language if rng.random() < 0.85 else _pick(rng, languages)
            people.append(
                Person(
                    id=f"d{len(people) + 1:04d}",
                    organisation=organisation,
                    constituency=constituency,
                    region=region,
                    language=spoken,
                    gender=rng.choice(("f", "m")),
                )
            )
    return tuple(people)
