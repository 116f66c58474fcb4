"""The dashboard's figures, as charts and as CSV, for the sessions one runs."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from majlis.backoffice.models import StaffRole
from majlis.backoffice.selectors import event_dashboard
from majlis.bookings.services import Actor, booking_check_in, booking_create
from majlis.events.models import Session
from majlis.testing.factories import (
    EventFactory,
    ParticipantFactory,
    SessionFactory,
    afternoon,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(slug="casa", is_demo=True)
    now = timezone.now()
    started = SessionFactory(
        event=event,
        code="started",
        capacity=2,
        title_en="Started",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=90),
    )
    later = SessionFactory(
        event=event,
        code="later",
        title_en="Later",
        starts_at=afternoon(),
        ends_at=afternoon(hour=18),
    )
    amina = ParticipantFactory(
        event=event, constituency="government", language="ar", country="MA"
    )
    claire = ParticipantFactory(
        event=event, constituency="workers", language="fr", country="FR"
    )
    lucia = ParticipantFactory(
        event=event, constituency="workers", language="es", country="MX"
    )
    for person in (amina, claire, lucia):
        booking_create(participant=person, session=started, actor=Actor.delegate())
    booking_create(participant=amina, session=later, actor=Actor.delegate())
    booking_check_in(session=started, participant=amina, actor=Actor.system())
    return event


def test_the_figures_per_session_and_the_mix_of_delegates(event):
    figures = event_dashboard(event=event, sessions=Session.objects.filter(event=event))
    rows = {
        f.session.code: (f.confirmed, f.waiting, f.checked_in, f.no_shows)
        for f in figures.sessions
    }
    assert rows == {"started": (2, 1, 1, 1), "later": (1, 0, 0, 0)}
    assert dict(figures.by_constituency) == {
        "Government": 2,
        "Workers' organisation": 1,
    }
    assert dict(figures.by_language) == {"Arabic": 2, "French": 1}
    # Confirmed seats: Amina (Morocco) twice, Claire (France); Lucia waits.
    assert figures.by_region == [("Africa", 2), ("Europe", 1)]
    assert sum(count for _day, count in figures.by_day) == 4


def _chart(html: str) -> list[tuple[str, str]]:
    """The (label, figure) pairs of the first chart in ``html``."""
    chart = html.split('<ul class="chart">')[1].split("</ul>")[0]
    pairs = []
    for row in chart.split('<li class="chart-row">')[1:]:
        label = row.split('<span class="chart-label">')[1].split("</span>")[0]
        figure = row.split('<span class="chart-figures">')[1].split("</span>")[0]
        pairs.append((label.strip(), figure.strip()))
    return pairs


def test_the_page_and_its_csv_for_an_organiser_of_one_session(client, event):
    user = User.objects.create_user("org", "org@example.org", "pw-123-long")
    role = StaffRole.objects.create(user=user, event=event, role="organiser")
    role.sessions.add(Session.objects.get(code="started"))
    client.force_login(user)
    page = client.get("/en/backoffice/casa/dashboard/").content.decode()
    assert "2 of 2 seats taken · 1 waiting · 1 checked in · 1 no-shows" in page
    assert "Later" not in page  # not theirs
    exported = client.get("/en/backoffice/casa/dashboard/?format=csv")
    rows = list(
        csv.reader(io.StringIO(exported.content.decode("utf-8").lstrip("\ufeff")))
    )
    assert rows[0] == [
        "Session",
        "Capacity",
        "Confirmed",
        "Waiting",
        "Checked in",
        "No-shows",
    ]
    assert rows[1] == ["Started", "2", "2", "1", "1", "1"]
    region = rows.index(["Region", "Delegates"])
    assert rows[region + 1 : region + 3] == [["Africa", "1"], ["Europe", "1"]]
    page_regions = page.split("<h2>Region</h2>")[1]
    assert "Regions of the United Nations geoscheme (M49)." in page_regions
    assert _chart(page_regions) == [("Africa", "1"), ("Europe", "1")]


def test_door_staff_have_no_dashboard(client, event):
    user = User.objects.create_user("door", "door@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="door")
    client.force_login(user)
    assert client.get("/en/backoffice/casa/dashboard/").status_code == 403
