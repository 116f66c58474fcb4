"""Where majlis.groups sits: above bookings, accounts and events, below the
web faces, and its planner free of Django and of the database."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
FACES = (
    "majlis.api",
    "majlis.backoffice",
    "majlis.site",
    "majlis.server",
    "majlis.demo",
)
# The planner and what it uses: plain Python.
PLAIN = ("planner.py", "designs.py", "search.py", "roster.py", "synthetic.py")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_groups_never_imports_the_web_faces():
    for path in PACKAGE.rglob("*.py"):
        for name in imported(path):
            assert not name.startswith(FACES), (
                f"{path.relative_to(ROOT)} imports {name}"
            )


def test_the_planner_imports_neither_django_nor_the_rest_of_majlis():
    for file in PLAIN:
        for name in imported(PACKAGE / file):
            assert not name.startswith("django"), f"{file} imports {name}"
            if name.startswith("majlis"):
                assert name.startswith("majlis.groups."), f"{file} imports {name}"


def test_the_planner_runs_in_a_process_without_django():
    script = (
        "import sys\n"
        "from majlis.groups.planner import Person, Request, plan\n"
        "people = tuple(Person(id=str(i)) for i in range(9))\n"
        "result = plan(Request(people=people, tables=3, rounds=4))\n"
        "assert result.arrangement.figures.repeated_pairs == 0\n"
        "assert not any(name.startswith('django') for name in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)
