"""An import writes its delegates in bulk: a few statements for a thousand
new delegates, one per delegate who changed, none for one who did not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from majlis.accounts.models import MagicLink, Participant
from majlis.accounts.services import ImportRejected, participant_import_rows
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory

pytestmark = pytest.mark.django_db


def rows(count: int, name: str = "Delegate") -> list[tuple[int, dict[str, str]]]:
    return [
        (
            n + 2,
            {
                "email": f"delegate{n}@example.org",
                "name": f"{name} {n}",
                "organisation": "Ministry",
                "constituency": "government" if n % 2 else "",
                "country": "ma" if n % 2 else "",
                "language": "fr" if n % 2 else "",
            },
        )
        for n in range(count)
    ]


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE"))
    ]


def test_a_thousand_new_delegates_take_a_few_statements():
    event = EventFactory()
    with CaptureQueriesContext(connection) as queries:
        assert participant_import_rows(event=event, rows=rows(1_200)).imported == 1_200
    assert len(queries.captured_queries) <= 10
    people = Participant.objects.filter(event=event)
    assert people.count() == 1_200
    assert people.get(email="delegate0@example.org").language == "en"  # default
    assert people.get(email="delegate0@example.org").constituency == "other"
    assert str(people.get(email="delegate1@example.org").country) == "MA"
    assert len(set(people.values_list("checkin_code", flat=True))) == 1_200


def test_importing_the_same_file_again_writes_nothing():
    event = EventFactory()
    participant_import_rows(event=event, rows=rows(50))
    with CaptureQueriesContext(connection) as queries:
        participant_import_rows(event=event, rows=rows(50))
    assert writes(queries) == []


def test_a_delegate_who_changed_is_updated_whatever_the_case_of_the_address():
    event = EventFactory()
    participant_import_rows(event=event, rows=rows(3))
    before = Participant.objects.get(email="delegate1@example.org")
    changed = rows(3)
    changed[1][1].update(email="DELEGATE1@example.org", name="Renamed")
    with CaptureQueriesContext(connection) as queries:
        participant_import_rows(event=event, rows=changed)
    assert len(writes(queries)) == 1
    after = Participant.objects.get(pk=before.pk)
    assert (after.name, after.email) == ("Renamed", "delegate1@example.org")
    assert after.updated_at > before.updated_at
    assert Participant.objects.filter(event=event).count() == 3


def test_a_bad_code_is_refused_with_every_code_accepted_and_nothing_is_written():
    event = EventFactory()
    bad = rows(3)
    bad[0][1]["constituency"] = "gov"
    bad[1][1]["language"] = "arabic"
    with pytest.raises(ImportRejected) as refused:
        participant_import_rows(event=event, rows=bad)
    constituency, language = refused.value.errors
    assert constituency.line == 2 and constituency.reason == (
        "“constituency”: “gov” is not a constituency code. Use one of: "
        "government, employers, workers, international, civil_society, academia, "
        "youth, other (empty means other)."
    )
    assert language.line == 3 and language.reason == (
        "“preferred language”: “arabic” is not a language code. "
        "Use one of: en, fr, es, ar (empty means en)."
    )
    assert not Participant.objects.exists()


def test_the_accepted_codes_are_named_in_the_readers_language():
    bad = rows(1)
    bad[0][1]["constituency"] = "gov"
    with translation.override("fr"), pytest.raises(ImportRejected) as refused:
        participant_import_rows(event=EventFactory(), rows=bad)
    assert "pas un code de catégorie" in refused.value.errors[0].reason
    assert "government, employers" in refused.value.errors[0].reason


def test_codes_are_read_whatever_their_case():
    event = EventFactory()
    upper = rows(2)
    upper[1][1].update(constituency=" Government ", language="AR")
    participant_import_rows(event=event, rows=upper)
    person = Participant.objects.get(email="delegate1@example.org")
    assert (person.constituency, person.language) == ("government", "ar")


def test_a_welcome_goes_to_each_new_delegate_only_with_a_sign_in_link_of_their_own():
    event = EventFactory()
    participant_import_rows(event=event, rows=rows(2))
    done = participant_import_rows(event=event, rows=rows(5), welcome=True)
    assert (done.imported, done.created, done.welcomed) == (5, 3, 3)
    welcomes = OutboxMessage.objects.filter(kind="welcome").order_by("to_email")
    assert [m.to_email for m in welcomes] == [
        f"delegate{n}@example.org" for n in (2, 3, 4)
    ]
    assert [m.language for m in welcomes] == ["en", "fr", "en"]  # the row's
    tokens = {m.payload["token"] for m in welcomes}
    assert len(tokens) == 3
    assert MagicLink.objects.filter(participant__event=event).count() == 3


def test_without_the_welcome_nothing_is_queued():
    done = participant_import_rows(event=EventFactory(), rows=rows(3))
    assert (done.created, done.welcomed) == (3, 0)
    assert not OutboxMessage.objects.exists()
