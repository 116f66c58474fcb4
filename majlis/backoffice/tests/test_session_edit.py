"""The secretariat edits a session in the back office; capacity and times go
through the booking services."""

import importlib
import zoneinfo
from datetime import datetime

import pytest
from django.contrib.auth.models import User

from majlis.backoffice.models import StaffRole
from majlis.bookings.models import Booking
from majlis.bookings.services import Actor, booking_create
from majlis.core.exceptions import TryAgain
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
URL = "/en/backoffice/casa/s/talk/edit/"
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


@pytest.fixture
def session():
    event = EventFactory(slug="casa")
    session = SessionFactory(event=event, code="talk", capacity=1)
    first, second = ParticipantFactory.create_batch(2, event=event)
    booking_create(participant=first, session=session, actor=Actor.delegate())
    session.waiting = booking_create(
        participant=second, session=session, actor=Actor.delegate()
    )
    return session


def form_data(client, **changes) -> dict:
    form = client.get(URL).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if name in ("starts_at", "ends_at"):
            value = field.widget.format_value(form[name].value())
        if isinstance(value, list) or value is not None:
            data[name] = value
    data.update(changes)
    return data


def sign_in(client, session, role: str = "secretariat"):
    user = User.objects.create_user(role, f"{role}@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=session.event, role=role)
    client.force_login(user)
    return user


def test_raising_capacity_and_moving_times_in_the_events_zone(client, session):
    sign_in(client, session)
    data = form_data(
        client,
        capacity=2,
        title_fr="Nouvelle séance",
        starts_at="2027-02-20T16:30",
        ends_at="2027-02-20T18:30",
    )
    response = client.post(URL, data, follow=True)
    assert "The session is saved." in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.title_fr) == (2, "Nouvelle séance")
    # 16:30 typed in Casablanca (on UTC during Ramadan 2027) is 16:30 UTC.
    assert session.starts_at == datetime(2027, 2, 20, 16, 30, tzinfo=CASABLANCA)
    assert Booking.objects.get(pk=session.waiting.pk).status == "confirmed"


def test_a_capacity_below_the_confirmed_seats_is_refused_on_the_form(client, session):
    sign_in(client, session)
    assert client.post(URL, form_data(client, capacity=3)).status_code == 302
    booking_create(
        participant=ParticipantFactory(event=session.event),
        session=session,
        actor=Actor.delegate(),
    )
    refused = client.post(URL, form_data(client, capacity=1))
    assert refused.status_code == 200
    assert "lower than the 3 confirmed bookings" in refused.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_organisers_cannot_edit_sessions(client, session):
    sign_in(client, session, role="organiser")
    assert client.get(URL).status_code == 403


def test_the_secretariat_sets_the_booking_window_in_the_events_zone(client, session):
    sign_in(client, session)
    url = "/en/backoffice/casa/settings/"
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        booking_opens_at="2027-02-01T09:00", booking_closes_at="2027-02-10T18:00"
    )
    assert client.post(url, data).status_code == 302
    session.event.refresh_from_db()
    assert session.event.booking_opens_at == datetime(
        2027, 2, 1, 9, 0, tzinfo=CASABLANCA
    )
    data.update(booking_closes_at="2027-01-01T09:00")
    refused = client.post(url, data)
    assert "Booking must close after it opens." in refused.content.decode()


def test_a_refused_save_sums_up_its_errors_at_the_top_linked_to_their_fields(
    client, session
):
    sign_in(client, session)
    # Two seats: the second goes to the one waiting, so 1 is below the confirmed.
    assert client.post(URL, form_data(client, capacity=2)).status_code == 302
    refused = client.post(
        URL, form_data(client, capacity=1, ends_at="2020-01-01T09:00")
    ).content.decode()

    summary = refused[refused.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'role="alert" tabindex="-1"' in summary
    assert "This form has 2 problems to correct:" in summary
    assert '<a href="#id_capacity">Capacity: The capacity cannot be lower' in summary
    assert '<a href="#id_ends_at">' in summary
    assert refused.index("error-summary") < refused.index('name="title_en"')
    # Beside the field too, tied to it for screen readers.
    assert 'id="id_capacity_error"' in refused
    field = refused[refused.index('name="capacity"') :]
    field = field[: field.index(">")]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_capacity_error"' in field


def test_a_refusal_of_the_booking_services_is_said_in_the_summary_too(
    client, session, monkeypatch
):
    views = importlib.import_module("majlis.backoffice.views.sessions")

    sign_in(client, session)
    monkeypatch.setattr(views, "session_save_changes", lambda **_kw: TryAgain())
    refused = client.post(URL, form_data(client, capacity=2)).content.decode()
    summary = refused[refused.index('<div class="error-summary"') :]
    assert str(TryAgain().message) in summary[: summary.index("</div>")]
