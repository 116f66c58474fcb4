"""An import writes its delegates in bulk: a few statements for a thousand
new delegates, one per delegate who changed, none for one who did not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from majlis.accounts.models import Participant
from majlis.accounts.services import participant_import_rows
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
        assert participant_import_rows(event=event, rows=rows(1_200)) == 1_200
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
