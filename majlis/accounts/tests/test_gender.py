"""A delegate's gender is optional, checked like every code, kept when a
source leaves it out, given to the planner to mix tables, in the delegate's
data download, and cleared with their personal data."""

import pytest
from django.utils import translation

from majlis.accounts.models import Gender, Participant
from majlis.accounts.services import (
    ImportRejected,
    participant_import_rows,
    participant_update,
    participant_upsert,
    participants_erase,
)
from majlis.bookings.models import Booking
from majlis.bookings.personal_data import participant_data_export
from majlis.bookings.services import Actor, booking_create
from majlis.core.exceptions import InvalidInput
from majlis.groups.selectors import person_of
from majlis.testing.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db
AMINA = {"email": "amina@example.org", "name": "Amina Benali"}


def test_a_gender_is_stored_and_a_source_that_leaves_it_out_keeps_it():
    event = EventFactory()
    amina, created = participant_upsert(event=event, data={**AMINA, "gender": "Female"})
    assert created and amina.gender == Gender.FEMALE
    amina, _ = participant_upsert(event=event, data={**AMINA, "name": "Amina B."})
    assert (amina.name, amina.gender) == ("Amina B.", "female")
    amina = participant_update(participant=amina, changes={"organisation": "ILO"})
    assert amina.gender == "female"
    amina, _ = participant_upsert(event=event, data={**AMINA, "gender": ""})
    assert amina.gender == ""
    nobody, _ = participant_upsert(
        event=event, data={**AMINA, "email": "b@example.org"}
    )
    assert nobody.gender == ""


def test_a_bad_gender_is_refused_with_the_codes_in_the_readers_language():
    event = EventFactory()
    with pytest.raises(InvalidInput) as refused:
        participant_upsert(event=event, data={**AMINA, "gender": "f"})
    assert "female, male, another" in str(refused.value.message)
    with translation.override("fr"), pytest.raises(InvalidInput) as refused:
        participant_upsert(event=event, data={**AMINA, "gender": "f"})
    assert "female, male, another" in str(refused.value.message)
    assert "is not a gender code" not in str(refused.value.message)
    assert not Participant.objects.exists()


def test_an_import_sets_the_gender_and_a_file_without_the_column_keeps_it():
    event = EventFactory()
    participant_import_rows(
        event=event,
        rows=[
            (2, {**AMINA, "gender": "female"}),
            (3, {"email": "omar@example.org", "name": "Omar", "gender": ""}),
        ],
    )
    genders = dict(Participant.objects.values_list("email", "gender"))
    assert genders == {"amina@example.org": "female", "omar@example.org": ""}
    participant_import_rows(event=event, rows=[(2, {**AMINA, "name": "Amina B."})])
    amina = Participant.objects.get(email="amina@example.org")
    assert (amina.name, amina.gender) == ("Amina B.", "female")
    participant_import_rows(event=event, rows=[(2, {**AMINA, "gender": "another"})])
    amina.refresh_from_db()
    assert amina.gender == "another"
    with pytest.raises(ImportRejected) as refused:
        participant_import_rows(event=event, rows=[(2, {**AMINA, "gender": "x"})])
    assert refused.value.errors[0].line == 2
    amina.refresh_from_db()
    assert amina.gender == "another"


def test_the_planner_mixes_by_gender_the_download_holds_it_and_erasure_clears_it():
    event = EventFactory()
    amina, _ = participant_upsert(event=event, data={**AMINA, "gender": "female"})
    booking_create(
        participant=amina, session=SessionFactory(event=event), actor=Actor.delegate()
    )
    booking = Booking.objects.get(participant=amina)
    assert person_of(booking, tables=2).gender == "female"
    assert participant_data_export(participant=amina)["delegate"]["gender"] == "female"

    participants_erase(event=event, participant_ids=[amina.pk])

    amina.refresh_from_db()
    assert amina.gender == ""
