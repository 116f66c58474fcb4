"""A delegate's side of a session's groups: their table in each round on
"my sessions" and on the session's page once the arrangement is published,
and their choice of topics for working groups, refused whole when bad."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from majlis.bookings.services import Actor, booking_cancel, booking_create
from majlis.groups import services
from majlis.groups.models import GroupSeat, TopicPreference
from majlis.site.signin import SESSION_KEY
from majlis.testing.factories import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
TOPICS = [
    {"en": "Care work", "fr": "Travail du soin", "ar": "أعمال الرعاية"},
    {"en": "Equal pay", "fr": "Égalité salariale", "ar": "المساواة في الأجر"},
    {"en": "Social protection", "ar": "الحماية الاجتماعية"},
]


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def signed_in(participant) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
    return client


@pytest.fixture
def organiser():
    return User.objects.create_user("organiser")


@pytest.fixture
def cafe():
    """A World Café of 9 with 3 tables over 3 rounds, planned, not published."""
    event = EventFactory(slug="casa")
    session = SessionFactory(event=event, code="cafe", title_en="Income and gender")
    bookings = [
        booking_create(
            participant=ParticipantFactory(
                event=event, name=f"Person {i}", organisation=f"Org {i % 4}"
            ),
            session=session,
            actor=Actor.delegate(),
        )
        for i in range(9)
    ]
    return session, bookings


def plan(session, organiser, **kwargs):
    options = {"kind": "cafe", "tables": 3, "rounds": 3} | kwargs
    return services.plan_groups(actor=organiser, session=session, **options)


def tables_of(booking) -> list[int]:
    return list(
        GroupSeat.objects.filter(booking=booking)
        .order_by("round")
        .values_list("table", flat=True)
    )


def seat_list(html: str) -> list[str]:
    """The items of the "where you sit" list(s), without tags."""
    lists = re.findall(r'<ul class="seat-lines"[^>]*>(.*?)</ul>', html, re.S)
    return [
        re.sub(r"<[^>]+>", "", item)
        for found in lists
        for item in re.findall(r"<li>(.*?)</li>", found, re.S)
    ]


def test_an_unpublished_arrangement_shows_nothing_to_the_delegates(cafe, organiser):
    session, bookings = cafe
    plan(session, organiser)
    client = signed_in(bookings[0].participant)
    mine = client.get(url("my-sessions", event="casa")).content.decode()
    page = client.get(url("session-detail", event="casa", code="cafe")).content.decode()
    assert seat_list(mine) == seat_list(page) == []
    assert "Where you sit" not in mine + page


def test_a_published_arrangement_shows_each_round_on_my_sessions(cafe, organiser):
    session, bookings = cafe
    services.publish(actor=organiser, plan=plan(session, organiser))
    client = signed_in(bookings[4].participant)
    html = client.get(url("my-sessions", event="casa")).content.decode()
    tables = tables_of(bookings[4])
    assert seat_list(html) == [
        f"Round {number}: table {table}" for number, table in enumerate(tables, 1)
    ]
    assert 'aria-labelledby="where-' in html  # a list named by its heading


def test_the_seat_is_written_in_the_delegates_language(cafe, organiser):
    session, bookings = cafe
    services.publish(actor=organiser, plan=plan(session, organiser))
    client = signed_in(bookings[0].participant)
    tables = tables_of(bookings[0])
    arabic = client.get(url("my-sessions", "ar", event="casa")).content.decode()
    french = client.get(url("session-detail", "fr", event="casa", code="cafe"))
    assert seat_list(arabic)[1] == f"الجولة 2: الطاولة {tables[1]}"
    assert seat_list(french.content.decode())[0] == f"Tour 1 : table {tables[0]}"


def test_the_session_page_shows_the_seat_to_its_booked_delegate_only(cafe, organiser):
    session, bookings = cafe
    services.publish(actor=organiser, plan=plan(session, organiser))
    page = url("session-detail", event="casa", code="cafe")
    mine = signed_in(bookings[2].participant).get(page).content.decode()
    assert len(seat_list(mine)) == 3
    stranger = ParticipantFactory(event=session.event)
    assert seat_list(signed_in(stranger).get(page).content.decode()) == []
    assert seat_list(Client().get(page).content.decode()) == []


def test_a_cancelled_booking_shows_no_seat(cafe, organiser):
    session, bookings = cafe
    services.publish(actor=organiser, plan=plan(session, organiser))
    booking_cancel(booking=bookings[3], actor=Actor.delegate())
    client = signed_in(bookings[3].participant)
    assert (
        seat_list(client.get(url("my-sessions", event="casa")).content.decode()) == []
    )


def test_unpublishing_takes_the_seats_away_again(cafe, organiser):
    session, bookings = cafe
    published = services.publish(actor=organiser, plan=plan(session, organiser))
    client = signed_in(bookings[0].participant)
    assert (
        len(seat_list(client.get(url("my-sessions", event="casa")).content.decode()))
        == 3
    )
    services.unpublish(actor=organiser, plan=published)
    assert (
        seat_list(client.get(url("my-sessions", event="casa")).content.decode()) == []
    )


def test_a_host_reads_that_they_host_their_table(cafe, organiser):
    session, bookings = cafe
    host = bookings[5]
    services.publish(
        actor=organiser, plan=plan(session, organiser, rounds=1, hosts={host.pk: 2})
    )
    html = signed_in(host.participant).get(url("my-sessions", event="casa"))
    assert seat_list(html.content.decode()) == ["Table 2 (host)"]
    arabic = signed_in(host.participant).get(url("my-sessions", "ar", event="casa"))
    assert seat_list(arabic.content.decode()) == ["الطاولة 2 (مضيف)"]


def test_working_groups_name_the_topic_isolated_for_the_direction(cafe, organiser):
    session, bookings = cafe
    services.publish(
        actor=organiser,
        plan=plan(
            session, organiser, kind="topics", tables=None, rounds=1, topics=TOPICS
        ),
    )
    table = tables_of(bookings[1])[0]
    client = signed_in(bookings[1].participant)
    html = client.get(url("my-sessions", "ar", event="casa")).content.decode()
    name = TOPICS[table - 1]["ar"]
    assert seat_list(html) == [f"الطاولة {table}: {name}"]
    assert f"<bdi>{name}</bdi>" in html
    english = client.get(url("my-sessions", event="casa")).content.decode()
    assert seat_list(english) == [f"Table {table}: {TOPICS[table - 1]['en']}"]


def test_a_topic_is_escaped(cafe, organiser):
    session, bookings = cafe
    topics = [{"en": "<script>x</script>"}, {"en": "B"}, {"en": "C"}]
    services.publish(
        actor=organiser,
        plan=plan(
            session, organiser, kind="topics", tables=None, rounds=1, topics=topics
        ),
    )
    client = signed_in(bookings[0].participant)
    html = client.get(url("my-sessions", event="casa")).content.decode()
    assert "<script>x" not in html
    if tables_of(bookings[0]) == [1]:
        assert "&lt;script&gt;x&lt;/script&gt;" in html


# Topic choices.


@pytest.fixture
def working_groups(cafe, organiser):
    session, bookings = cafe
    services.set_topics(actor=organiser, session=session, topics=TOPICS)
    return session, bookings


def choose(client: Client, lang: str = "en", **choices):
    return client.post(
        url("choose-topics", lang, event="casa", code="cafe"), choices, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_booked_delegate_is_offered_three_ordered_choices(working_groups):
    _session, bookings = working_groups
    html = signed_in(bookings[0].participant).get(
        url("session-detail", event="casa", code="cafe")
    )
    content = html.content.decode()
    for label in ("First choice", "Second choice", "Third choice"):
        assert f">{label}:</label>" in content
    assert content.count('<option value="2">Equal pay</option>') == 3


def test_choices_are_saved_in_order_and_shown_back(working_groups):
    _session, bookings = working_groups
    client = signed_in(bookings[0].participant)
    answer = choose(client, choice_1="3", choice_2="1", choice_3="")
    assert messages_of(answer) == ["Your topics are saved."]
    preference = TopicPreference.objects.get(participant=bookings[0].participant)
    assert preference.choices == [3, 1]
    html = answer.content.decode()
    chosen = re.search(r'<ol aria-labelledby="chosen-topics">(.*?)</ol>', html, re.S)
    assert chosen and re.findall(r"<bdi>(.*?)</bdi>", chosen.group(1)) == [
        "Social protection",
        "Care work",
    ]
    assert '<option value="3" selected>Social protection</option>' in html


def test_a_blank_first_choice_moves_the_second_up(working_groups):
    _session, bookings = working_groups
    client = signed_in(bookings[0].participant)
    choose(client, choice_1="", choice_2="2")
    assert TopicPreference.objects.get().choices == [2]


def test_no_choice_at_all_clears_the_choices(working_groups):
    _session, bookings = working_groups
    client = signed_in(bookings[0].participant)
    choose(client, choice_1="1")
    answer = choose(client, choice_1="", choice_2="", choice_3="")
    assert messages_of(answer) == ["Your topics are cleared."]
    assert not TopicPreference.objects.exists()


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            {"choice_1": "2", "choice_2": "2"},
            "Choose each topic at most once, among those offered.",
        ),
        (
            {"choice_1": "9"},
            "Your topics could not be saved: Select a valid choice. 9 is not one "
            "of the available choices.",
        ),
        (
            {"choice_1": "one"},
            "Your topics could not be saved: Select a valid choice. one is not "
            "one of the available choices.",
        ),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_change_nothing(
    working_groups, choices, message
):
    _session, bookings = working_groups
    client = signed_in(bookings[0].participant)
    choose(client, choice_1="1")
    answer = choose(client, **choices)
    assert messages_of(answer) == [message]
    assert TopicPreference.objects.get().choices == [1]


def test_a_refusal_is_in_the_delegates_language(working_groups):
    _session, bookings = working_groups
    answer = choose(
        signed_in(bookings[0].participant), "fr", choice_1="1", choice_2="1"
    )
    with translation.override("fr"):
        expected = translation.gettext(
            "Choose each topic at most once, among those offered."
        )
    assert expected != "Choose each topic at most once, among those offered."
    assert messages_of(answer) == [expected]


def test_a_delegate_without_a_booking_cannot_choose(working_groups):
    session, _bookings = working_groups
    stranger = ParticipantFactory(event=session.event)
    client = signed_in(stranger)
    page = client.get(url("session-detail", event="casa", code="cafe"))
    assert "First choice" not in page.content.decode()
    answer = choose(client, choice_1="1")
    assert messages_of(answer) == ["Book the session before choosing its topics."]
    assert not TopicPreference.objects.exists()


def test_choosing_needs_a_signed_in_delegate(working_groups):
    answer = Client().post(url("choose-topics", event="casa", code="cafe"), {})
    assert answer.status_code == 302
    assert "/sign-in/" in answer["Location"]
    assert not TopicPreference.objects.exists()


def test_a_session_without_topics_offers_no_choice(cafe, organiser):
    session, bookings = cafe
    plan(session, organiser)
    client = signed_in(bookings[0].participant)
    page = client.get(url("session-detail", event="casa", code="cafe"))
    assert "First choice" not in page.content.decode()
    answer = choose(client, choice_1="1")
    assert messages_of(answer) == ["This session has no topics to choose from."]


def test_once_published_the_choice_gives_way_to_the_table(working_groups, organiser):
    session, bookings = working_groups
    client = signed_in(bookings[0].participant)
    choose(client, choice_1="2")
    services.publish(
        actor=organiser,
        plan=plan(session, organiser, kind="topics", tables=None, rounds=1),
    )
    html = client.get(url("session-detail", event="casa", code="cafe")).content.decode()
    assert "First choice" not in html
    assert len(seat_list(html)) == 1


def test_two_topics_offer_two_choices(cafe, organiser):
    session, bookings = cafe
    services.set_topics(actor=organiser, session=session, topics=TOPICS[:2])
    html = signed_in(bookings[0].participant).get(
        url("session-detail", event="casa", code="cafe")
    )
    assert "Second choice" in html.content.decode()
    assert "Third choice" not in html.content.decode()
