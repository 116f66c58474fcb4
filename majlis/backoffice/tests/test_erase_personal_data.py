"""The secretariat erases an event's personal data from the event's settings,
once the conference is over, after typing the event's short name."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.asserts import assertContains

from majlis.accounts.models import Participant
from majlis.backoffice.models import StaffRole
from majlis.events.models import Session
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

PAGE = "/en/backoffice/casa/settings/erase-personal-data/"


@pytest.fixture
def secretariat(client):
    event = EventFactory(slug="casa")
    SessionFactory(event=event)
    ParticipantFactory.create_batch(3, event=event)
    user = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return client


def _conference_over() -> None:
    now = timezone.now()
    Session.objects.update(
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )


def test_the_settings_page_leads_to_the_erasure(secretariat):
    assertContains(secretariat.get("/en/backoffice/casa/settings/"), PAGE)


def test_without_the_event_s_short_name_nothing_is_erased(secretariat):
    _conference_over()
    answer = secretariat.post(PAGE, {"confirm": "yes"})
    assertContains(answer, "Type the event&#x27;s short name, casa", status_code=400)
    assert not Participant.objects.filter(erased_at__isnull=False).exists()


def test_before_the_end_nothing_is_erased(secretariat):
    answer = secretariat.post(PAGE, {"confirm": "casa"})
    assertContains(answer, "The event is not over", status_code=400)
    assert not Participant.objects.filter(erased_at__isnull=False).exists()


def test_after_the_end_every_delegate_is_erased(secretariat):
    _conference_over()
    answer = secretariat.post(PAGE, {"confirm": "casa"}, follow=True)
    assertContains(answer, "The personal data of 3 delegates is erased")
    assert Participant.objects.filter(erased_at__isnull=True).count() == 0
