"""``majlis groups plan ROSTER.csv --tables T --rounds R [--kind cafe|topics|teams]
[--seed S] [--json]``: forms the groups of a session from a CSV roster,
without a database (docs/GROUPING.md)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.core.terminal import activate_terminal_language
from majlis.groups.planner import Kind, Plan, PlanError, Request, plan
from majlis.groups.roster import COLUMNS, RosterError, read_roster
from majlis.groups.selectors import figures_as_dict


def _roster_message(error: RosterError) -> str:
    params = error.params
    messages = {
        "encoding": _("The roster is not UTF-8 text."),
        "empty": _("The roster is empty."),
        "no_id": _("The roster's first line has no id column."),
        "empty_id": _("Line %(line)d has no id."),
        "duplicate_id": _("Line %(line)d: the id %(id)s is already on line %(first)d."),
        "not_a_number": _(
            "Line %(line)d: %(column)s must hold table numbers, not %(value)s."
        ),
    }
    message = messages.get(error.code)
    if message is None:
        return str(error)
    return message % params if params else message


def _plan_message(error: PlanError) -> str:
    messages = {
        "tables": _("The number of tables must be at least 1."),
        "rounds": _("The number of rounds must be between 1 and %(most)d."),
        "teams_rounds": _(
            "Teams are formed for one round: leave out --rounds or give 1."
        ),
        "too_few": ngettext(
            "Too few for %(count)d table: it needs at least two people; the "
            "roster holds %(people)s.",
            "Too few for %(count)d tables: each needs at least two people; the "
            "roster holds %(people)s.",
            int(str(error.params.get("tables", 0))),
        ),
        "empty_id": _("A person has no id."),
        "duplicate_id": _("The id %(id)s appears twice."),
        "host_table": _(
            "%(id)s hosts table %(table)d, but the tables are numbered 1 to %(tables)d."
        ),
        "topic_choice": _(
            "%(id)s chose topic %(table)d, but the tables are numbered 1 to %(tables)d."
        ),
        "hosts": ngettext(
            "Too many hosts at one table: here a table holds at most %(count)d person.",
            "Too many hosts at one table: here a table holds at most %(count)d people.",
            int(str(error.params.get("most", 0))),
        ),
    }
    message = messages.get(error.code)
    if message is None:
        return str(error)
    counted = {"too_few": "tables", "hosts": "most"}.get(error.code)
    params = dict(error.params)
    if counted is not None:
        params["count"] = params[counted]
    return message % params if params else message


def as_json(result: Plan) -> dict[str, Any]:
    """The plan as ``majlis groups plan --json`` prints it."""
    request = result.request
    return {
        "kind": str(request.kind),
        "people": len(request.people),
        "tables": request.tables,
        "seed": request.seed,
        "rounds": [
            [list(group) for group in tables] for tables in result.arrangement.rounds
        ],
        **figures_as_dict(result.arrangement.figures),
        "random": figures_as_dict(result.random.figures),
        "seconds": round(result.seconds, 3),
        "cpu_seconds": round(result.cpu_seconds, 3),
        "time_limited": result.time_limited,
        "method": result.method,
    }


class Command(BaseCommand):
    help = (
        "Form the groups of a session (World Café rounds, working groups on "
        "topics, teams) from a CSV roster with the columns "
        + ", ".join(COLUMNS)
        + " (all but id optional); no database is used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        make = sub.add_parser(
            "plan",
            help="Propose an arrangement and print it with its quality figures.",
            description=(
                "topic_choices: table numbers from 1, most wanted first, separated "
                "by ; or | (3;1;4). host_table: the table number the person hosts "
                "and keeps every round."
            ),
        )
        make.add_argument("roster", type=Path, help="The CSV roster.")
        size = make.add_mutually_exclusive_group(required=True)
        size.add_argument(
            "--tables", type=int, help="The number of tables (or groups)."
        )
        size.add_argument(
            "--size",
            type=int,
            help="The largest group size; the tables are as few as that allows.",
        )
        make.add_argument("--rounds", type=int, default=1, help="Rounds (default 1).")
        make.add_argument(
            "--kind",
            choices=[kind.value for kind in Kind],
            default=Kind.CAFE.value,
            help="cafe: rounds where people meet new people; topics: each table is "
            "a topic, chosen in topic_choices; teams: one round of mixed teams.",
        )
        make.add_argument("--seed", type=int, default=0, help="Same seed, same plan.")
        make.add_argument(
            "--time-limit",
            type=float,
            default=10.0,
            help="The most seconds the search may take (default 10); it "
            "usually ends well before.",
        )
        make.add_argument(
            "--effort",
            type=float,
            default=1.0,
            help="Multiplies the moves the search tries (default 1): 2 searches "
            "twice as long, often for a better plan.",
        )
        make.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        path: Path = options["roster"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from error
        try:
            people = read_roster(content)
        except RosterError as error:
            raise CommandError(_roster_message(error)) from error
        tables = options["tables"]
        if tables is None:
            if options["size"] < 2:
                raise CommandError(_("The group size must be at least 2."))
            tables = -(-len(people) // options["size"])
        request = Request(
            people=people,
            tables=tables,
            rounds=options["rounds"],
            kind=Kind(options["kind"]),
            seed=options["seed"],
            time_limit=options["time_limit"],
            effort=options["effort"],
        )
        try:
            result = plan(request)
        except PlanError as error:
            raise CommandError(_plan_message(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result), ensure_ascii=False))
            return
        self._print(result)

    def _print(self, result: Plan) -> None:
        request = result.request
        kinds = {
            Kind.CAFE: _("World Café"),
            Kind.TOPICS: _("Working groups on topics"),
            Kind.TEAMS: _("Teams"),
        }
        self.stdout.write(
            _(
                "%(kind)s; people: %(people)d; tables: %(tables)d; rounds: %(rounds)d; "
                "seed: %(seed)d"
            )
            % {
                "kind": kinds[request.kind],
                "people": len(request.people),
                "tables": request.tables,
                "rounds": request.rounds,
                "seed": request.seed,
            }
        )
        for number, tables in enumerate(result.arrangement.rounds, start=1):
            self.stdout.write("")
            self.stdout.write(_("Round %(round)d") % {"round": number})
            for table, group in enumerate(tables, start=1):
                self.stdout.write(
                    "  "
                    + _("Table %(table)d (%(size)d): %(ids)s")
                    % {"table": table, "size": len(group), "ids": ", ".join(group)}
                )
        mine = result.arrangement.figures
        chance = result.random.figures
        rows: list[tuple[str, str, str, str]] = [
            ("", _("this plan"), _("random"), _("lower bound")),
            (
                _("pairs who meet twice or more"),
                str(mine.repeated_pairs),
                str(chance.repeated_pairs),
                str(mine.lower_bound),
            ),
            (
                _("seats out of balance"),
                str(mine.balance_deviation),
                str(chance.balance_deviation),
                "0",
            ),
            (
                _("colleagues at one table (pairs)"),
                str(mine.same_organisation_pairs),
                str(chance.same_organisation_pairs),
                str(mine.same_organisation_pairs_unavoidable),
            ),
        ]
        if (
            mine.first_choice_share is not None
            and chance.first_choice_share is not None
        ):
            rows.append(
                (
                    _("at their first choice"),
                    f"{mine.first_choice_share:.0%}",
                    f"{chance.first_choice_share:.0%}",
                    "",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for row in rows:
            self.stdout.write(
                "  ".join(
                    [row[0].ljust(widths[0])]
                    + [cell.rjust(widths[i]) for i, cell in enumerate(row) if i]
                ).rstrip()
            )
        self.stdout.write("")
        self.stdout.write(_("Found in %(seconds).2f s.") % {"seconds": result.seconds})
        if result.time_limited:
            self.stdout.write(
                _(
                    "The search reached its time limit: another run may give another plan."
                )
            )
