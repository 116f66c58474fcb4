import zoneinfo
from datetime import datetime
from itertools import pairwise

import pytest
from django.core.management import call_command

from majlis.accounts.models import Participant
from majlis.demo.loader import DEMO_SLUG
from majlis.events.models import Event, Session

pytestmark = pytest.mark.django_db


def test_demo_loads_the_seven_sessions_in_four_languages_at_their_real_times():
    call_command("demo")
    event = Event.objects.get(slug=DEMO_SLUG)
    sessions = list(Session.objects.filter(event=event).order_by("starts_at", "code"))
    assert len(sessions) == 7
    assert event.is_demo and event.time_zone == "Africa/Casablanca"
    casablanca = zoneinfo.ZoneInfo("Africa/Casablanca")
    days = {
        s.code: s.starts_at.astimezone(casablanca).date().isoformat() for s in sessions
    }
    assert days["targets-2030"] == days["income-gender"] == "2026-02-11"
    assert days["data-risk"] == "2026-02-12"
    for session in sessions:
        assert session.capacity == 50 and session.has_waitlist
        assert all(
            getattr(session, f"title_{lang}") for lang in ("en", "fr", "es", "ar")
        )
        assert all(
            getattr(session, f"description_{lang}") for lang in ("en", "fr", "es", "ar")
        )
        local_start = session.starts_at.astimezone(casablanca)
        assert (local_start.hour, local_start.minute) == (16, 30)
        # February 2026 in Casablanca is UTC+1: 16:30 local is 15:30 UTC.
        assert session.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")).hour == 15
        assert (session.ends_at - session.starts_at).total_seconds() == 2 * 3600
    assert isinstance(sessions[0].starts_at, datetime)


def test_loading_the_demo_twice_changes_nothing():
    call_command("demo", participants=30)
    first = (
        list(Session.objects.values().order_by("pk")),
        list(Participant.objects.values_list("email", "name").order_by("pk")),
    )
    call_command("demo")
    second = (
        list(Session.objects.values().order_by("pk")),
        list(Participant.objects.values_list("email", "name").order_by("pk")),
    )
    assert first == second
    assert Participant.objects.count() == 34


def test_demo_participants_option_adds_more_each_time():
    call_command("demo", participants=5)
    call_command("demo", participants=5)
    assert Participant.objects.filter(email__startswith="demo-").count() == 10


def test_the_demo_can_book_its_fictitious_delegates_within_the_rules():
    from majlis.bookings.models import Booking

    call_command("demo", participants=120, book=True)
    for session in Session.objects.all():
        confirmed = Booking.objects.filter(session=session, status="confirmed").count()
        assert session.seats_taken == confirmed <= session.capacity
    assert Booking.objects.filter(
        status="waitlisted"
    ).exists()  # some sessions filled up
    assert Booking.objects.filter(checked_in_at__isnull=False).exists()


def test_after_booking_each_interactive_session_has_its_published_groups():
    from majlis.bookings.models import Booking
    from majlis.demo.loader import DEMO_GROUPS, DEMO_TOPICS
    from majlis.groups.models import GroupPlan, GroupSeat, TopicPreference
    from majlis.groups.selectors import seats_for_participant, session_topics

    call_command("demo", participants=200, book=True)
    plans = {
        plan.session.code: plan for plan in GroupPlan.objects.select_related("session")
    }
    assert set(plans) == set(DEMO_GROUPS)
    for code, plan in plans.items():
        kind, _size, rounds = DEMO_GROUPS[code]
        assert (plan.kind, plan.rounds) == (kind, rounds)
        assert plan.published_at is not None
        confirmed = set(
            Booking.objects.filter(
                session=plan.session, status="confirmed"
            ).values_list("pk", flat=True)
        )
        for round_ in range(1, rounds + 1):
            seated = GroupSeat.objects.filter(plan=plan, round=round_)
            assert set(seated.values_list("booking_id", flat=True)) == confirmed
        assert plan.figures["sizes_within_one"]
    topics = plans["targets-2030"]
    assert session_topics(topics.session, "fr")[0] == "Mesurer le travail des enfants"
    assert TopicPreference.objects.filter(session=topics.session).exists()
    assert topics.figures["first_choice_share"] > 0.5
    booking = Booking.objects.filter(session=topics.session, status="confirmed").first()
    [entry] = [
        e
        for e in seats_for_participant(booking.participant, "ar")
        if e.session == topics.session
    ]
    assert entry.seats[0].topic in {topic["ar"] for topic in DEMO_TOPICS}
    # Loading and booking again leaves the groups as they are.
    versions = {code: plan.version for code, plan in plans.items()}
    call_command("demo", book=True)
    assert {
        plan.session.code: plan.version
        for plan in GroupPlan.objects.select_related("session")
    } == versions


def test_demo_book_alone_gives_every_interactive_session_its_groups():
    """`majlis demo --book` on a fresh database, as the issue and the README
    name it: fictitious delegates to book, so that each session has a plan."""
    from majlis.demo.loader import DEMO_GROUPS
    from majlis.groups.models import GroupPlan

    call_command("demo", book=True)
    plans = GroupPlan.objects.filter(published_at__isnull=False)
    assert set(plans.values_list("session__code", flat=True)) == set(DEMO_GROUPS)
    # Booking again adds nobody: the delegates were topped up, not added again.
    people = Participant.objects.count()
    call_command("demo", book=True)
    assert Participant.objects.count() == people


def test_the_sign_in_delegate_sees_their_tables_in_two_sessions_on_my_sessions():
    from django.test import Client
    from django.urls import reverse

    from majlis.bookings.models import Booking
    from majlis.demo.loader import DEMO_DELEGATE_EMAIL, DEMO_DELEGATE_SESSIONS
    from majlis.groups.selectors import seats_for_participant
    from majlis.site.signin import SESSION_KEY

    call_command("demo", participants=200, book=True)
    delegate = Participant.objects.get(email=DEMO_DELEGATE_EMAIL)
    held = Booking.objects.filter(participant=delegate, status="confirmed")
    assert sorted(held.values_list("session__code", flat=True)) == sorted(
        DEMO_DELEGATE_SESSIONS
    )
    # Within the booking rules: no two of their seats overlap in time.
    times = sorted((b.session.starts_at, b.session.ends_at) for b in held)
    assert all(end <= start for (_, end), (start, _) in pairwise(times))
    seats = seats_for_participant(delegate, "en")
    assert {entry.session.code for entry in seats} == set(DEMO_DELEGATE_SESSIONS)
    cafe = next(entry for entry in seats if entry.session.code == "income-gender")
    assert [seat.round for seat in cafe.seats] == [1, 2, 3]
    client = Client()
    signed_in = client.session
    signed_in[SESSION_KEY] = delegate.pk
    signed_in.save()
    html = client.get(reverse("my-sessions", kwargs={"event": DEMO_SLUG})).content
    for seat in cafe.seats:
        assert f"Round {seat.round}: table {seat.table}".encode() in html
    # Booking the demo again books them nowhere else.
    call_command("demo", book=True)
    assert held.count() == len(DEMO_DELEGATE_SESSIONS)
