"""Reading a roster for the planner from CSV (no Django, no database).

Columns, named on the first line in any order (others are ignored): ``id``
(required), ``organisation``, ``constituency``, ``region``, ``language``,
``gender``, ``topic_choices`` (table numbers from 1, most wanted first,
separated by ``;`` or ``|``: ``3;1;4``) and ``host_table`` (a table number
from 1: the person hosts it and stays there every round).
"""

import csv
import io
import re

from majlis.groups.planner import Person

COLUMNS = (
    "id",
    "organisation",
    "constituency",
    "region",
    "language",
    "gender",
    "topic_choices",
    "host_table",
)
CHOICE_SEPARATORS = re.compile(r"[;|]")


class RosterError(ValueError):
    """A roster that cannot be read: ``code``, ``params`` (``line`` among
    them when a row is at fault) for the caller's own message; ``str()`` is
    English."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


def _table_number(text: str, *, line: int, column: str) -> int:
    """A table number from 1, returned from 0."""
    try:
        return int(text) - 1
    except ValueError:
        raise RosterError(
            "not_a_number",
            "Line %(line)d: %(column)s must hold table numbers, not %(value)s.",
            line=line,
            column=column,
            value=text,
        ) from None


def read_roster(content: bytes) -> tuple[Person, ...]:
    """The people of a CSV roster, in the file's order."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError("encoding", "The roster is not UTF-8 text.") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise RosterError("empty", "The roster is empty.")
    names = [name.strip().casefold() for name in header]
    if "id" not in names:
        raise RosterError("no_id", "The roster's first line has no id column.")
    where = {name: names.index(name) for name in COLUMNS if name in names}
    people: list[Person] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {
            name: row[i].strip() if i < len(row) else "" for name, i in where.items()
        }
        person_id = cells["id"]
        if not person_id:
            raise RosterError("empty_id", "Line %(line)d has no id.", line=line)
        if person_id in seen:
            raise RosterError(
                "duplicate_id",
                "Line %(line)d: the id %(id)s is already on line %(first)d.",
                line=line,
                id=person_id,
                first=seen[person_id],
            )
        seen[person_id] = line
        choices = tuple(
            dict.fromkeys(
                _table_number(part.strip(), line=line, column="topic_choices")
                for part in CHOICE_SEPARATORS.split(cells.get("topic_choices", ""))
                if part.strip()
            )
        )
        host = cells.get("host_table", "")
        people.append(
            Person(
                id=person_id,
                organisation=cells.get("organisation", ""),
                constituency=cells.get("constituency", ""),
                region=cells.get("region", ""),
                language=cells.get("language", ""),
                gender=cells.get("gender", ""),
                topic_choices=choices,
                host_table=(
                    _table_number(host, line=line, column="host_table")
                    if host
                    else None
                ),
            )
        )
    if not people:
        raise RosterError("empty", "The roster is empty.")
    return tuple(people)
