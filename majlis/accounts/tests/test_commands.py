import pytest
from django.core.management import CommandError, call_command

from majlis.accounts.models import ApiKey, Participant, hash_secret
from majlis.testing.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

HEADER = "email,name,organisation,constituency,country,language\n"


@pytest.fixture
def event():
    return EventFactory(slug="conf")


def write(tmp_path, text: str):
    path = tmp_path / "delegates.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_and_updates_delegates(tmp_path, event, capsys):
    ParticipantFactory(event=event, email="known@example.org", name="Old Name")
    path = write(
        tmp_path,
        HEADER
        + "KNOWN@example.org,New Name,ILO,international,CH,fr\n"
        + "amina@example.org,Amina Benali,Ministry,government,ma,ar\n",
    )
    call_command("import_participants", str(path), event="conf")
    assert "Imported 2 delegates" in capsys.readouterr().out
    known = Participant.objects.get(email__iexact="known@example.org")
    assert (known.name, known.language, str(known.country)) == ("New Name", "fr", "CH")
    amina = Participant.objects.get(email="amina@example.org")
    assert (amina.constituency, str(amina.country), amina.language) == (
        "government",
        "MA",
        "ar",
    )


def test_a_bad_file_names_each_bad_line_and_imports_nothing(tmp_path, event):
    path = write(
        tmp_path,
        HEADER
        + "good@example.org,Good,,government,MA,en\n"
        + "not-an-email,Bad Email,,government,MA,en\n"
        + "x@example.org,Bad Country,,government,XX,en\n"
        + "y@example.org,Bad Constituency,,pirates,MA,en\n"
        + "GOOD@example.org,Duplicate,,government,MA,en\n",
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_participants", str(path), event="conf")
    message = str(raised.value)
    assert "Nothing was imported" in message
    for line in ("line 3:", "line 4:", "line 5:", "line 6:"):
        assert line in message
    assert "line 2:" not in message
    assert "XX" in message and "pirates" in message
    assert Participant.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused(tmp_path, event):
    path = write(tmp_path, "mail,fullname\na@example.org,A\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("import_participants", str(path), event="conf")


def test_import_into_an_unknown_event_is_refused(tmp_path):
    path = write(tmp_path, HEADER)
    with pytest.raises(CommandError, match="No event"):
        call_command("import_participants", str(path), event="nope")


def test_apikey_create_prints_the_key_last_and_stores_only_its_hash(capsys, event):
    call_command("apikey", "create", name="registration")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("mjk_")
    key = ApiKey.objects.get(name="registration")
    assert key.key_hash == hash_secret(raw) and raw not in key.key_hash
    assert key.event == event  # the only event
    with pytest.raises(CommandError, match="already exists"):
        call_command("apikey", "create", name="registration")


def test_the_majlis_command_takes_hyphenated_names(monkeypatch):
    """``majlis import-participants`` runs Django's ``import_participants``. (Run
    for real, a management command closes the test's database connection.)"""
    from django.core import management

    from majlis.cli import main

    seen: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", seen.append)
    main(["majlis", "import-participants", "f.csv", "--event", "conf"])
    main(["majlis", "apikey", "create", "--name", "x-y"])
    assert seen == [
        ["majlis", "import_participants", "f.csv", "--event", "conf"],
        ["majlis", "apikey", "create", "--name", "x-y"],
    ]


def test_apikey_create_asks_which_event_when_there_are_several(capsys, event):
    EventFactory(slug="other")
    with pytest.raises(CommandError, match="--event SLUG"):
        call_command("apikey", "create", name="app")
    call_command("apikey", "create", name="app", event="other")
    call_command("apikey", "create", name="secretariat", all_events=True)
    scopes = dict(ApiKey.objects.values_list("name", "event__slug"))
    assert scopes == {"app": "other", "secretariat": None}
