"""The group planner's benchmark (issue 20; docs/GROUPING.md).

    .venv/bin/python bench/groups.py [--seeds 3] [--json FILE] [--time-limit S]

No database, no server: the planner alone, in this process. For each case,
on a realistic fictitious roster (majlis.groups.synthetic: governments,
employers, workers and others from the ILO's five regions, speaking English,
French, Spanish or Arabic, one to five delegates per organisation) and on the
same number of people with nothing but an id (sizes alone), and for each seed:
seconds (wall clock and processor), pairs who meet twice or more beside the
lower bound, seats out of balance, colleagues seated together; each beside a
random arrangement of the same sizes.

- session: 50 people, 8 tables, 4 rounds (target: under 1 s);
- breakout: 400 people, 60 tables, 5 rounds (target: under 10 s);
- the design-theory cases: 9 at 3 tables over 4 rounds, 16 at 4 over 5, 25 at
  5 over 6 (a perfect answer exists: no pair twice).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from majlis.groups.planner import Person, Request, plan  # noqa: E402
from majlis.groups.synthetic import roster  # noqa: E402

CASES = (
    ("session", 50, 8, 4, 1.0),
    ("breakout", 400, 60, 5, 10.0),
    ("AG(2,3)", 9, 3, 4, None),
    ("AG(2,4)", 16, 4, 5, None),
    ("AG(2,5)", 25, 5, 6, None),
)


def run(name, people, tables, rounds, target, seed, roster_kind, time_limit):
    if roster_kind == "realistic":
        members = roster(people, seed=7)
    else:
        members = tuple(Person(id=f"p{i:04d}") for i in range(people))
    request = Request(people=members, tables=tables, rounds=rounds, seed=seed)
    if time_limit is not None:
        request = replace(request, time_limit=time_limit)
    result = plan(request)
    mine, chance = result.arrangement.figures, result.random.figures
    return {
        "case": name,
        "roster": roster_kind,
        "people": people,
        "tables": tables,
        "rounds": rounds,
        "seed": seed,
        "target_seconds": target,
        "seconds": round(result.seconds, 3),
        "cpu_seconds": round(result.cpu_seconds, 3),
        "time_limited": result.time_limited,
        "method": result.method,
        "repeated_pairs": mine.repeated_pairs,
        "lower_bound": mine.lower_bound,
        "repeat_meetings": mine.repeat_meetings,
        "repeat_meetings_lower_bound": mine.repeat_meetings_lower_bound,
        "balance_deviation": mine.balance_deviation,
        "balance_by_attribute": mine.balance_by_attribute,
        "same_organisation_pairs": mine.same_organisation_pairs,
        "same_organisation_pairs_unavoidable": mine.same_organisation_pairs_unavoidable,
        "random": {
            "repeated_pairs": chance.repeated_pairs,
            "balance_deviation": chance.balance_deviation,
            "same_organisation_pairs": chance.same_organisation_pairs,
        },
    }


def table(rows):
    header = (
        "case",
        "roster",
        "seed",
        "wall s",
        "cpu s",
        "pairs twice+ (bound | random)",
        "out of balance (random)",
        "colleagues (unavoidable | random)",
    )
    lines = [header]
    for row in rows:
        lines.append(
            (
                f"{row['case']} {row['people']}/{row['tables']}/{row['rounds']}",
                row["roster"],
                str(row["seed"]),
                f"{row['seconds']:.2f}" + ("!" if row["time_limited"] else ""),
                f"{row['cpu_seconds']:.2f}",
                f"{row['repeated_pairs']} ({row['lower_bound']} | "
                f"{row['random']['repeated_pairs']})",
                f"{row['balance_deviation']} ({row['random']['balance_deviation']})",
                f"{row['same_organisation_pairs']} "
                f"({row['same_organisation_pairs_unavoidable']} | "
                f"{row['random']['same_organisation_pairs']})",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()
        for line in lines
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="Seeds 0..N-1 per case.")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument(
        "--time-limit",
        type=float,
        help="The planner's time limit (default: its own, 10 s). A large one "
        "shows the full search on a machine too busy to finish in time.",
    )
    options = parser.parse_args()
    rows = []
    for name, people, tables, rounds, target in CASES:
        kinds = ("realistic", "ids only") if target else ("ids only",)
        for roster_kind in kinds:
            for seed in range(options.seeds):
                case = (name, people, tables, rounds, target)
                rows.append(run(*case, seed, roster_kind, options.time_limit))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    print()
    for name, _people, _tables, _rounds, target in CASES:
        if not target:
            continue
        times = [row["seconds"] for row in rows if row["case"] == name]
        print(
            f"{name}: median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
            f"(target {target:g} s)"
        )
    if options.json:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        options.json.write_text(
            json.dumps(
                {
                    "commit": commit,
                    "python": platform.python_version(),
                    "cores": os.cpu_count(),
                    "load_average_1min_at_end": load,
                    "time_limit": options.time_limit,
                    "results": rows,
                },
                indent=1,
            )
            + "\n"
        )
        print(f"written to {options.json}")


if __name__ == "__main__":
    main()
