"""``majlis groups plan``: its JSON, its table, its errors and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from majlis.groups.roster import RosterError, read_roster
from majlis.groups.synthetic import roster

ROOT = Path(__file__).resolve().parents[3]
COMMAND = (sys.executable, "-m", "majlis.cli", "groups", "plan")
HEADER = (
    "id,organisation,constituency,region,language,gender,topic_choices,host_table\n"
)


def write(tmp_path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fifty(tmp_path) -> Path:
    lines = [HEADER]
    for i, person in enumerate(roster(50, seed=7)):
        host = "1" if i == 0 else ""
        lines.append(
            f"{person.id},{person.organisation},{person.constituency},{person.region},"
            f"{person.language},{person.gender},{i % 4 + 1};{(i + 1) % 4 + 1},{host}\n"
        )
    return write(tmp_path, "".join(lines))


def plan_json(capsys, *args: str) -> dict:
    call_command("groups", "plan", *args, "--json", "--effort", "0.05")
    return json.loads(capsys.readouterr().out)


def test_json_has_the_rounds_and_the_figures(fifty, capsys):
    result = plan_json(
        capsys, str(fifty), "--tables", "8", "--rounds", "4", "--seed", "3"
    )
    assert len(result["rounds"]) == 4
    for tables in result["rounds"]:
        assert len(tables) == 8
        assert sorted(i for table in tables for i in table) == [
            f"d{n:04d}" for n in range(1, 51)
        ]
        assert "d0001" in tables[0]  # the host of table 1
    for key in (
        "repeated_pairs",
        "lower_bound",
        "repeat_meetings",
        "repeat_meetings_lower_bound",
        "balance_deviation",
        "same_organisation_pairs",
        "same_organisation_pairs_unavoidable",
        "seconds",
    ):
        assert isinstance(result[key], int | float), key
    assert result["first_choice_share"] is None  # a café has no topics
    assert set(result["random"]) >= {"repeated_pairs", "balance_deviation"}
    assert result["repeated_pairs"] >= result["lower_bound"]
    assert result["balance_deviation"] < result["random"]["balance_deviation"]


def test_working_groups_report_first_choices_and_a_size_gives_the_tables(fifty, capsys):
    result = plan_json(capsys, str(fifty), "--size", "13", "--kind", "topics")
    assert len(result["rounds"]) == 1 and len(result["rounds"][0]) == 4
    assert result["first_choice_share"] == 1.0  # everyone, as the choices are spread


def test_the_same_seed_prints_the_same_rounds(fifty, capsys):
    first = plan_json(
        capsys, str(fifty), "--tables", "6", "--rounds", "2", "--seed", "1"
    )
    second = plan_json(
        capsys, str(fifty), "--tables", "6", "--rounds", "2", "--seed", "1"
    )
    assert first["rounds"] == second["rounds"]


def test_without_json_a_readable_table(fifty, capsys):
    call_command(
        "groups",
        "plan",
        str(fifty),
        "--tables",
        "8",
        "--rounds",
        "2",
        "--effort",
        "0.05",
    )
    out = capsys.readouterr().out
    assert "World Café; people: 50; tables: 8; rounds: 2" in out
    assert "Round 2" in out and "Table 8 (" in out
    assert "pairs who meet twice or more" in out and "lower bound" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,organisation\nA,ILO\n", "no id column"),
        ("id\na\nb\na\n", "Line 4: the id a is already on line 2."),
        ("id,region\na,x\n\n,y\nb,z\n", "Line 4 has no id."),
        (
            "id,host_table\na,one\nb,\n",
            "Line 2: host_table must hold table numbers, not one.",
        ),
        ("id,topic_choices\na,2;x\n", "topic_choices must hold table numbers, not x"),
        ("", "The roster is empty."),
        ("id\n", "The roster is empty."),
        (
            "id\na\nb\nc\n",
            "Too few for 2 tables: each needs at least two people; the roster holds 3.",
        ),
        (
            "id,host_table\na,3\nb,\nc,\nd,\n",
            "a hosts table 3, but the tables are numbered 1 to 2.",
        ),
        (
            "id,host_table\na,0\nb,\nc,\nd,\n",
            "a hosts table 0, but the tables are numbered 1 to 2.",
        ),
    ],
)
def test_bad_rosters_are_refused_with_one_clear_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as raised:
        call_command("groups", "plan", str(path), "--tables", "2")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_unreadable_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv"):
        call_command("groups", "plan", str(tmp_path / "missing.csv"), "--tables", "2")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id\nJosé\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("groups", "plan", str(latin), "--tables", "2")


def test_teams_have_one_round(fifty):
    with pytest.raises(CommandError, match="one round"):
        call_command(
            "groups",
            "plan",
            str(fifty),
            "--tables",
            "5",
            "--rounds",
            "2",
            "--kind",
            "teams",
        )


def test_errors_speak_the_terminals_language(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    path = write(tmp_path, "id\na\nb\na\n")
    with pytest.raises(CommandError) as raised:
        call_command("groups", "plan", str(path), "--tables", "1")
    assert "Ligne 4" in str(raised.value)


def test_the_command_line_exits_non_zero_without_a_traceback(tmp_path, fifty):
    bad = write(tmp_path, "id\na\nb\n", "small.csv")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "majlis.cli",
            "groups",
            "plan",
            str(bad),
            "--tables",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "CommandError: Too few for 3 tables: each needs at least two people; the "
        "roster holds 2."
    ]
    done = subprocess.run(
        [
            *COMMAND,
            str(fifty),
            "--tables",
            "5",
            "--rounds",
            "2",
            "--json",
            "--effort",
            "0.1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["rounds"]) == 2


def test_the_reader_gives_choices_and_hosts_from_zero():
    (person,) = read_roster(
        "\ufeffID,Topic_Choices,host_table,extra\nx, 3 | 1;3 ,2,whatever\n".encode()
    )
    assert person.topic_choices == (2, 0)
    assert person.host_table == 1
    with pytest.raises(RosterError) as raised:
        read_roster(b"id\n\xff\n")
    assert raised.value.code == "encoding"
