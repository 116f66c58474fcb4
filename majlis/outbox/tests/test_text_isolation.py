"""In the plain text of every email, each text that people typed (a name, a
title, a room, an event, a topic, an address) placed inside a sentence sits
between U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, the
plain-text <bdi> of Unicode's bidi algorithm (UAX #9): in an Arabic email
"Amina B." keeps its full stop instead of showing as ".Amina B", and an
Arabic name in an English sentence does not take the punctuation around it.
A value on a line of its own (the event and session under the sentence, a
link, an organiser's text) stays as it is. Each subject isolates the same
values in its sentence."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from majlis.accounts.services import magic_link_request, participants_welcome
from majlis.backoffice.models import StaffRole
from majlis.backoffice.services import session_message_send, staff_invite
from majlis.bookings.models import Booking
from majlis.bookings.services import (
    Actor,
    booking_cancel,
    booking_create,
    session_move,
    session_release_no_shows,
)
from majlis.groups import services as groups
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import render_message
from majlis.testing.clock import made_earlier
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory
from majlis.testing.text import isolated

pytestmark = pytest.mark.django_db

ME = Actor.delegate()

# An Arabic email naming Latin texts, an English one naming Arabic texts; each
# ends in a full stop, which the sentence around it would otherwise take.
TYPED = {
    "ar": {
        "name": "Amina B.",
        "event": "Atlas Forum.",
        "title": "Future of work.",
        "preferred": "Care and wages.",
        "room": "Atlas 1.",
        "topic": "Informal work.",
    },
    "en": {
        "name": "أمينة ب.",
        "event": "منتدى الأطلس.",
        "title": "مستقبل العمل.",
        "preferred": "الرعاية والأجور.",
        "room": "قاعة الأطلس 1.",
        "topic": "العمل غير المنظم.",
    },
}
LANGUAGES = ("en", "fr", "es", "ar")


def sentence(language: str, msgid: str, **values: object) -> str:
    """``msgid`` in ``language``, each text in ``values`` isolated (numbers as
    they are)."""
    with translation.override(language):
        return gettext(msgid) % {
            name: isolated(value) if isinstance(value, str) else value
            for name, value in values.items()
        }


def assert_isolated_in_sentences(text: str, typed: dict[str, str]) -> None:
    """Every line naming a typed text either is that text alone or names it
    isolated, never bare."""
    for line in text.splitlines():
        for value in typed.values():
            if line.strip() == value:
                continue
            assert value not in line.replace(isolated(value), ""), (value, line)


class World:
    """An event, a session, and a delegate reading ``language``, each named by
    the texts of ``TYPED[language]`` in every language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.typed = TYPED[language]
        self.event = EventFactory(
            slug="atlas", **{f"name_{code}": self.typed["event"] for code in LANGUAGES}
        )
        self.session = self.session_named(self.typed["title"], code="work")
        self.delegate = ParticipantFactory(
            event=self.event,
            name=self.typed["name"],
            email="amina@example.org",
            language=language,
        )

    def session_named(self, title: str, **kwargs: object):
        return SessionFactory(
            event=self.event,
            **{f"title_{code}": title for code in LANGUAGES},
            **{f"room_{code}": self.typed["room"] for code in LANGUAGES},
            **kwargs,
        )

    def said(self, msgid: str, **values: object) -> str:
        return sentence(self.language, msgid, **values)

    def hello(self) -> str:
        return self.said("Hello %(name)s,", name=self.typed["name"])

    def room(self) -> str:
        return self.said("Room: %(room)s", room=self.typed["room"])

    def email(self, kind: str, to: str = "amina@example.org"):
        """The one email of ``kind`` queued for ``to``, as the outbox renders
        it, checked for a typed text left bare in a sentence."""
        [message] = OutboxMessage.objects.filter(kind=kind, to_email=to)
        email = render_message(message)
        assert_isolated_in_sentences(email.body, self.typed)
        assert_isolated_in_sentences(email.subject, self.typed)
        return email


@pytest.fixture(params=sorted(TYPED))
def world(request) -> World:
    return World(request.param)


def test_the_filter_isolates_a_value_and_each_item_of_a_list():
    template = Template(
        "{% load majlis %}{% autoescape off %}{{ name|isolate_text }} "
        "{{ titles|isolate_text }}{% endautoescape %}"
    )
    context = Context({"name": "Amina B.", "titles": ["Future of work.", "أجور."]})
    with translation.override("ar"):
        said = template.render(context)
    assert said == (
        f"{isolated('Amina B.')} {isolated('Future of work.')}، {isolated('أجور.')}"
    )


def test_the_check_finds_a_bare_name_in_a_sentence():
    typed = {"name": "Amina B."}
    assert_isolated_in_sentences(f"Hello {isolated('Amina B.')},\nAmina B.\n", typed)
    with pytest.raises(AssertionError):
        assert_isolated_in_sentences("Hello Amina B.,\n", typed)


# --- a booking's changes ----------------------------------------------------------


def test_a_confirmation_isolates_the_name_title_and_room(world):
    booking_create(participant=world.delegate, session=world.session, actor=ME)

    email = world.email("booking_confirmed")

    title = world.typed["title"]
    assert email.subject == world.said(
        "Your seat is confirmed: %(session)s", session=title
    )
    lines = email.body.splitlines()
    assert lines[0] == world.hello()
    if world.language == "ar":  # the name isolated before the Arabic comma
        assert lines[0] == f"مرحبًا {isolated('Amina B.')}،"
    assert lines[2] == world.said('Your seat in "%(title)s" is confirmed.', title=title)
    # The event and the session on lines of their own, as typed.
    assert lines[4:6] == [world.typed["event"], title]
    assert world.room() in lines


def test_a_waiting_place_and_a_promotion_isolate_the_title(world):
    holder = ParticipantFactory(event=world.event)
    world.session.capacity = 1
    world.session.save()
    held = booking_create(participant=holder, session=world.session, actor=ME)
    booking_create(participant=world.delegate, session=world.session, actor=ME)
    booking_cancel(booking=held, actor=ME)

    waiting = world.email("booking_waitlisted")
    promoted = world.email("booking_promoted")

    title = world.typed["title"]
    assert waiting.subject == world.said(
        "You are on the waiting list: %(session)s", session=title
    )
    assert (
        world.said(
            '"%(title)s" is full, so you are on its waiting list, in position '
            "%(position)s. If a seat opens, it is yours automatically and we will "
            "write to you.",
            title=title,
            position=1,
        )
        in waiting.body.splitlines()
    )
    assert promoted.subject == world.said(
        "A seat has opened for you: %(session)s", session=title
    )
    assert (
        world.said('A seat has opened in "%(title)s" and it is now yours.', title=title)
        in promoted.body.splitlines()
    )
    for email in (waiting, promoted):
        assert world.hello() in email.body.splitlines()


@pytest.mark.parametrize("by", ["delegate", "organisers", "door"])
def test_a_cancellation_isolates_the_title(world, by):
    if by == "door":
        now = timezone.now()
        world.event.is_demo = True  # booking stays open after the start
        world.event.save()
        world.session.starts_at = now - timedelta(minutes=15)
        world.session.ends_at = now + timedelta(minutes=105)
        world.session.no_show_release_minutes = 10
        world.session.save()
    booking = booking_create(
        participant=world.delegate, session=world.session, actor=ME
    )
    organiser = User.objects.create_user("o", "o@example.org", "pw-123-long")
    if by == "door":
        # Booked before the start: the door keeps a seat given since.
        made_earlier(Booking.objects.filter(pk=booking.pk), by=timedelta(hours=1))
        session_release_no_shows(
            session=world.session, actor=Actor.organiser(organiser)
        )
    else:
        actor = ME if by == "delegate" else Actor.organiser(organiser)
        booking_cancel(booking=booking, actor=actor)

    email = world.email("booking_cancelled")

    title = world.typed["title"]
    assert email.subject == world.said(
        "Your booking is cancelled: %(session)s", session=title
    )
    said = {
        "delegate": 'Your booking for "%(title)s" is cancelled.',
        "organisers": 'The organisers cancelled your booking for "%(title)s". '
        "Write to them if you did not expect it.",
        "door": 'Your seat in "%(title)s" was released because you had not checked '
        "in at the door some minutes after the start, so that someone else could "
        "have it. If you are there, ask the door staff: they seat you if a seat "
        "is free.",
    }[by]
    lines = email.body.splitlines()
    assert lines[0] == world.hello()
    assert lines[2] == world.said(said, title=title)
    assert world.room() in lines


def test_a_switch_isolates_the_title_of_the_seat_left(world):
    booking_create(participant=world.delegate, session=world.session, actor=ME)
    other = world.session_named(
        world.typed["preferred"],
        starts_at=world.session.starts_at,
        ends_at=world.session.ends_at,
    )
    booking_create(participant=world.delegate, session=other, actor=ME, switch=True)

    email = world.email("booking_switched_away")

    title = world.typed["title"]
    assert email.subject == world.said("You left %(session)s", session=title)
    assert email.body.splitlines()[2] == world.said(
        'As you asked, you switched sessions and your seat in "%(title)s" was '
        "released.",
        title=title,
    )


def test_a_seat_released_for_a_preferred_one_isolates_both_titles(world):
    preferred = world.session_named(
        world.typed["preferred"],
        capacity=1,
        starts_at=world.session.starts_at,
        ends_at=world.session.ends_at,
    )
    held = booking_create(
        participant=ParticipantFactory(event=world.event),
        session=preferred,
        actor=ME,
    )
    booking_create(participant=world.delegate, session=world.session, actor=ME)
    booking_create(participant=world.delegate, session=preferred, actor=ME, switch=True)
    booking_cancel(booking=held, actor=ME)

    email = world.email("booking_released")

    title = world.typed["title"]
    assert email.subject == world.said(
        "You left %(session)s for a session you preferred", session=title
    )
    assert email.body.splitlines()[2] == world.said(
        'A seat opened in "%(preferred)s", which you were waiting for, so your '
        'seat in "%(title)s" at the same time was released.',
        preferred=world.typed["preferred"],
        title=title,
    )


def test_a_new_time_isolates_the_title(world):
    booking_create(participant=world.delegate, session=world.session, actor=ME)
    starts = world.session.starts_at + timedelta(days=1)
    session_move(
        session=world.session,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        actor=Actor.system(),
    )

    email = world.email("booking_moved")

    title = world.typed["title"]
    assert email.subject == world.said("New time for %(session)s", session=title)
    assert email.body.splitlines()[2] == world.said(
        '"%(title)s" has moved to a new time, shown below. Your booking stays as '
        "it was.",
        title=title,
    )


# --- signing in -----------------------------------------------------------------


def test_a_sign_in_link_isolates_the_name_and_event(world):
    magic_link_request(event=world.event, email=world.delegate.email)

    email = world.email("magic_link")

    event = world.typed["event"]
    assert email.subject == world.said("Your sign-in link for %(event)s", event=event)
    lines = email.body.splitlines()
    assert lines[0] == world.hello()
    assert lines[2] == world.said(
        "Open this link to sign in to the sessions of %(event_name)s:",
        event_name=event,
    )


def test_a_welcome_isolates_the_name_and_event(world):
    participants_welcome(participants=[world.delegate])

    email = world.email("welcome")

    event = world.typed["event"]
    assert email.subject == world.said(
        "Welcome to %(event)s: book your sessions", event=event
    )
    lines = email.body.splitlines()
    assert lines[0] == world.hello()
    assert lines[2] == world.said(
        "You are registered for %(event_name)s. Its sessions are small and their "
        "seats are booked in advance: choose yours in the programme.",
        event_name=event,
    )


# --- the back office ------------------------------------------------------------


def test_a_staff_invitation_isolates_the_event_sessions_and_username(world):
    later = world.session.ends_at + timedelta(hours=1)
    other = world.session_named(
        world.typed["preferred"], starts_at=later, ends_at=later + timedelta(hours=1)
    )
    User.objects.create_user("ali", "ali@example.org", "pw-123-long")
    for address in ("door@example.org", "ali@example.org"):
        staff_invite(
            event=world.event,
            email=address,
            role="door",
            sessions=[world.session, other],
            language=world.language,
        )

    new = world.email("staff_invite", "door@example.org")
    known = world.email("staff_invite", "ali@example.org")

    event = world.typed["event"]
    with translation.override(world.language):
        role = gettext('You have the role "%(role)s" at %(event_name)s, in Majlis.') % {
            "role": StaffRole.Role.DOOR.label,
            "event_name": isolated(event),
        }
        comma = pgettext("separator between the names of a list", ", ")
        sessions = gettext("Your sessions: %(titles)s.") % {
            "titles": comma.join(
                isolated(world.typed[key]) for key in ("title", "preferred")
            )
        }
    for email in (new, known):
        assert email.subject == world.said("Your role at %(event)s", event=event)
        assert email.body.splitlines()[:2] == [role, sessions]
    assert (
        world.said(
            "Choose your password with this link, then sign in as %(username)s:",
            username="door@example.org",
        )
        in new.body.splitlines()
    )
    assert (
        world.said("Sign in as %(username)s with your password:", username="ali")
        in known.body.splitlines()
    )


def test_a_message_to_a_session_isolates_its_title(world):
    booking_create(participant=world.delegate, session=world.session, actor=ME)
    author = User.objects.create_user("o", "o@example.org", "pw-123-long")
    subject, text = {
        "ar": ("تغيير القاعة", "نلتقي ظهرًا."),
        "en": ("Room change", "We meet at noon."),
    }[world.language]
    session_message_send(
        session=world.session,
        author=author,
        audience="confirmed",
        subject=subject,
        body=text,
    )

    email = world.email("session_message")

    title = world.typed["title"]
    # The organiser's subject, in the reader's language, is the message's own
    # text, as its body: it sets the line's direction.
    with translation.override(world.language):
        assert email.subject == gettext("%(session)s: %(subject)s") % {
            "session": isolated(title),
            "subject": subject,
        }
    lines = email.body.splitlines()
    assert lines[0] == text
    assert lines[3:5] == [
        world.said(
            'Sent by the organisers of "%(title)s" through Majlis.', title=title
        ),
        world.typed["event"],
    ]


# --- a session's tables ---------------------------------------------------------


def test_the_tables_isolate_the_title_room_and_topic(world):
    for person in (world.delegate, ParticipantFactory(event=world.event)):
        booking_create(participant=person, session=world.session, actor=ME)
    topic = world.typed["topic"]
    plan = groups.plan_groups(
        actor=None,
        session=world.session,
        kind="topics",
        topics=[{code: topic for code in LANGUAGES}],
    )
    groups.email_arrangement(actor=None, plan=groups.publish(actor=None, plan=plan))

    email = world.email("group_seats")

    title = world.typed["title"]
    assert email.subject == world.said("Where you sit: %(session)s", session=title)
    lines = email.body.splitlines()
    assert lines[0] == world.hello()
    assert lines[2] == world.said('Here is where you sit in "%(title)s":', title=title)
    assert lines[4] == "- " + world.said(
        "Table %(table)d: %(topic)s", table=1, topic=topic
    )
    assert world.room() in lines
