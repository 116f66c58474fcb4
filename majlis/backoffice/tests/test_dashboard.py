"""The dashboard's figures, as charts and as CSV, for the sessions one runs."""

import csv
import io
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from majlis.backoffice.models import StaffRole
from majlis.backoffice.selectors import event_dashboard
from majlis.bookings.models import Booking
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


def rush(event, times: list[datetime]) -> None:
    """Book one new delegate per time, and date each booking at that time."""
    session = SessionFactory(event=event, capacity=len(times))
    for moment in times:
        booking = booking_create(
            participant=ParticipantFactory(event=event, country=""),
            session=session,
            actor=Actor.delegate(),
        )
        Booking.objects.filter(pk=booking.pk).update(created_at=moment)


def test_bookings_per_hour_and_per_day_are_counted_in_the_event_zone():
    event = EventFactory(slug="rush", is_demo=True, time_zone="Asia/Kolkata")
    utc = [
        datetime(2026, 1, 31, 18, 29, tzinfo=UTC),  # 23:59 on the 31st in Kolkata
        datetime(2026, 1, 31, 18, 30, tzinfo=UTC),  # 00:00 on 1 February
        datetime(2026, 1, 31, 18, 45, tzinfo=UTC),
        datetime(2026, 1, 31, 19, 10, tzinfo=UTC),
        datetime(2026, 1, 31, 21, 40, tzinfo=UTC),  # 03:10, after two quiet hours
    ]
    rush(event, utc)
    figures = event_dashboard(event=event, sessions=Session.objects.filter(event=event))
    assert figures.by_day == [(date(2026, 1, 31), 1), (date(2026, 2, 1), 4)]
    assert figures.rush_day == date(2026, 2, 1)
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    hours = [
        (start.astimezone(kolkata).strftime("%d %H:%M"), count)
        for start, count in figures.hours_of(date(2026, 2, 1))
    ]
    assert hours == [
        ("01 00:00", 3),
        ("01 01:00", 0),
        ("01 02:00", 0),
        ("01 03:00", 1),
    ]
    assert [count for _start, count in figures.hours_of(date(2026, 1, 31))] == [1]
    assert figures.hours_of(date(2026, 2, 2)) == []


def test_an_hour_the_clock_repeats_is_counted_twice_not_merged():
    event = EventFactory(slug="autumn", is_demo=True, time_zone="Europe/Paris")
    # Paris goes back from 03:00 CEST to 02:00 CET on 25 October 2026.
    rush(
        event,
        [
            datetime(2026, 10, 25, 0, 15, tzinfo=UTC),  # 02:15 CEST
            datetime(2026, 10, 25, 0, 45, tzinfo=UTC),  # 02:45 CEST
            datetime(2026, 10, 25, 1, 15, tzinfo=UTC),  # 02:15 CET
        ],
    )
    figures = event_dashboard(event=event, sessions=Session.objects.filter(event=event))
    hours = figures.hours_of(date(2026, 10, 25))
    assert [(start.isoformat(), count) for start, count in hours] == [
        ("2026-10-25T02:00:00+02:00", 2),
        ("2026-10-25T02:00:00+01:00", 1),
    ]


def test_the_page_charts_the_busiest_day_by_the_hour_and_any_day_on_request(client):
    event = EventFactory(slug="rush", is_demo=True, time_zone="Africa/Casablanca")
    rush(
        event,
        [
            datetime(2026, 2, 1, 8, 5, tzinfo=UTC),  # 09:05 in Casablanca (UTC+1)
            datetime(2026, 2, 1, 8, 55, tzinfo=UTC),
            datetime(2026, 2, 1, 10, 0, tzinfo=UTC),  # 11:00
            datetime(2026, 2, 3, 15, 0, tzinfo=UTC),  # 16:00 on another day
        ],
    )
    admin = User.objects.create_user("sec", "sec@example.org", "pw-123-long")
    StaffRole.objects.create(user=admin, event=event, role="secretariat")
    client.force_login(admin)
    page = client.get("/en/backoffice/rush/dashboard/").content.decode()
    assert "Bookings per hour on 1 Feb 2026" in page
    rows = page.split('id="per-hour"')[1]
    assert _chart(rows) == [("09:00", "2"), ("10:00", "0"), ("11:00", "1")]
    assert "Hours in the event's time zone (Morocco Time, GMT+1)" in page
    other = client.get("/en/backoffice/rush/dashboard/?day=2026-02-03").content
    assert _chart(other.decode().split('id="per-hour"')[1]) == [("16:00", "1")]
    exported = client.get("/en/backoffice/rush/dashboard/?format=csv")
    table = exported.content.decode("utf-8").split('"Bookings per hour","Bookings"')[1]
    assert list(csv.reader(io.StringIO(table.strip()))) == [
        ["2026-02-01T09:00+01:00", "2"],
        ["2026-02-01T11:00+01:00", "1"],
        ["2026-02-03T16:00+01:00", "1"],
    ]


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
    assert "2 of 2 seats taken · 1 waiting · 1 checked in · 1 no-show" in page
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
