"""Load the demo conference: the 6th Global Conference on the Elimination of
Child Labour, its 7 interactive sessions, and fictitious delegates.

Loading twice changes nothing: rows are found by their natural keys and
existing ones are left as they are.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction

from majlis.accounts.models import Constituency, Language, Participant
from majlis.demo.content import DEMO_EVENT_NAME, DEMO_EVENT_VENUE, DEMO_SESSIONS
from majlis.events.models import Event, Session

DEMO_SLUG = "child-labour-2026"
DEMO_ZONE = "Africa/Casablanca"
DEMO_CAPACITY = 50
DEMO_DELEGATE_EMAIL = "delegate@example.org"
DEMO_ORGANISER_USERNAME = "organiser"
DEMO_ORGANISER_PASSWORD = "majlis-demo"  # noqa: S105 - a demo account, printed on purpose

# Invented for the demo: the page does not say which languages each session uses.
DEMO_LANGUAGES: dict[str, tuple[list[str], list[str]]] = {
    "targets-2030": (["en"], ["fr", "es", "ar"]),
    "income-gender": (["en", "es"], []),
    "future-action": (["en", "fr"], ["ar"]),
    "hazardous-work": (["fr", "ar"], ["en"]),
    "humanitarian-toolkit": (["en"], ["fr"]),
    "data-risk": (["en"], []),
    "investing-agriculture": (["en", "fr"], ["es"]),
}

NAMED_DELEGATES = [
    (
        "delegate@example.org",
        "Amina Benali",
        "Ministry of Labour",
        "government",
        "MA",
        "en",
    ),
    (
        "delegue@example.org",
        "Claire Dubois",
        "Confédération syndicale",
        "workers",
        "FR",
        "fr",
    ),
    ("delegada@example.org", "Lucía Fernández", "Red de Jóvenes", "youth", "AR", "es"),
    (
        "mandoub@example.org",
        "يوسف العلوي",
        "جمعية حماية الطفولة",
        "civil_society",
        "MA",
        "ar",
    ),
]
FIRST_NAMES = [
    "Aïcha",
    "Omar",
    "Fatou",
    "Juan",
    "Marie",
    "Kwame",
    "Li",
    "Sara",
    "Ahmed",
    "Ana",
    "Pierre",
    "Nadia",
    "Hassan",
    "Grace",
    "Carlos",
    "Leila",
    "Tomás",
    "Yasmin",
]
LAST_NAMES = [
    "Diallo",
    "García",
    "Martin",
    "Haddad",
    "Mensah",
    "Chen",
    "Silva",
    "Traoré",
    "El Amrani",
    "Okafor",
    "Rossi",
    "Nguyen",
    "Kaya",
    "Moreau",
    "Ibrahim",
    "López",
]
COUNTRIES = [
    "MA",
    "SN",
    "FR",
    "ES",
    "BR",
    "GH",
    "IN",
    "EG",
    "CI",
    "MX",
    "KE",
    "JO",
    "PE",
    "TN",
]


@dataclass
class DemoSummary:
    event: Event
    sessions_created: int
    participants_created: int


def _session_times(day: str, zone_name: str) -> tuple[datetime, datetime]:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(zone_name)
    local_day = date.fromisoformat(day)
    return (
        datetime.combine(local_day, time(16, 30), tzinfo=zone),
        datetime.combine(local_day, time(18, 30), tzinfo=zone),
    )


@transaction.atomic
def demo_load(*, participants: int = 0) -> DemoSummary:
    event, _created = Event.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name_en": DEMO_EVENT_NAME["en"],
            "name_fr": DEMO_EVENT_NAME["fr"],
            "name_es": DEMO_EVENT_NAME["es"],
            "name_ar": DEMO_EVENT_NAME["ar"],
            "time_zone": DEMO_ZONE,
            **{f"venue_{code}": text for code, text in DEMO_EVENT_VENUE.items()},
            "is_demo": True,
        },
    )
    sessions_created = 0
    for text in DEMO_SESSIONS:
        starts_at, ends_at = _session_times(text["day"], event.time_zone)
        _session, created = Session.objects.get_or_create(
            event=event,
            code=text["code"],
            defaults={
                **{f"title_{lang}": value for lang, value in text["title"].items()},
                **{
                    f"description_{lang}": value
                    for lang, value in text["description"].items()
                },
                "organisers": text["organisers"],
                "format": text["format"],
                "room_en": text["room"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": DEMO_CAPACITY,
                "has_waitlist": True,
                "languages": DEMO_LANGUAGES[text["code"]][0],
                "interpretation": DEMO_LANGUAGES[text["code"]][1],
            },
        )
        sessions_created += created
    participants_created = 0
    for email, name, organisation, constituency, country, language in NAMED_DELEGATES:
        _person, created = Participant.objects.get_or_create(
            event=event,
            email=email,
            defaults={
                "name": name,
                "organisation": organisation,
                "constituency": constituency,
                "country": country,
                "language": language,
            },
        )
        participants_created += created
    participants_created += _add_fictitious(event, participants)
    _add_demo_staff(event)
    users = get_user_model()
    if not users.objects.filter(username=DEMO_ORGANISER_USERNAME).exists():
        users.objects.create_superuser(
            username=DEMO_ORGANISER_USERNAME,
            email="organiser@example.org",
            password=DEMO_ORGANISER_PASSWORD,
        )
    return DemoSummary(event, sessions_created, participants_created)


def _add_demo_staff(event: Event) -> None:
    """An ILO organiser of the ILO's sessions and a member of the door staff at
    the first session, each with the demo password, to try the back office."""
    from majlis.backoffice.models import StaffRole

    users = get_user_model()
    for username, role, codes in (
        ("ilo-organiser", StaffRole.Role.ORGANISER, None),
        ("door", StaffRole.Role.DOOR, ["targets-2030"]),
    ):
        if users.objects.filter(username=username).exists():
            continue
        user = users.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=DEMO_ORGANISER_PASSWORD,
        )
        staff = StaffRole.objects.create(user=user, event=event, role=role)
        sessions = Session.objects.filter(event=event)
        if codes is not None:
            sessions = sessions.filter(code__in=codes)
        staff.sessions.set([s for s in sessions if codes or "ILO" in s.organisers])


# `majlis demo --book` without --participants tops the fictitious delegates
# up to this many: enough for every interactive session to form its groups.
DEMO_BOOKED_PARTICIPANTS = 180


def participants_to_add_for_booking() -> int:
    """How many fictitious delegates `majlis demo --book` adds when not told:
    as many as bring them to DEMO_BOOKED_PARTICIPANTS (none the second time)."""
    present = Participant.objects.filter(
        event__slug=DEMO_SLUG, email__startswith="demo-"
    ).count()
    return max(0, DEMO_BOOKED_PARTICIPANTS - present)


def _add_fictitious(event: Event, count: int) -> int:
    """Add ``count`` more fictitious delegates, numbered after those already there."""
    if count <= 0:
        return 0
    rng = random.Random(count)
    start = Participant.objects.filter(event=event, email__startswith="demo-").count()
    constituencies = list(Constituency.values)
    languages = list(Language.values)
    people = []
    for number in range(start + 1, start + count + 1):
        people.append(
            Participant(
                event=event,
                email=f"demo-{number:05d}@example.org",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                organisation="",
                constituency=rng.choice(constituencies),
                country=rng.choice(COUNTRIES),
                language=rng.choice(languages),
            )
        )
    Participant.objects.bulk_create(people, batch_size=500)
    return len(people)


def demo_book(*, event: Event, seed: int = 2026) -> int:
    """Book the sign-in delegate into two sessions, then the fictitious
    delegates into the sessions, through the booking services, with a few
    sessions much wanted: a demo with a life of its own
    (full sessions, waiting lists, check-ins)."""
    from majlis.bookings.services import Actor, booking_check_in, booking_create
    from majlis.core.exceptions import MajlisError

    rng = random.Random(seed)
    booked = _book_sign_in_delegate(event)
    sessions = list(Session.objects.filter(event=event).order_by("starts_at", "code"))
    days: dict[date, list[Session]] = {}
    for session in sessions:
        days.setdefault(session.starts_at.date(), []).append(session)
    for person in Participant.objects.filter(event=event, email__startswith="demo-"):
        for choices in days.values():
            weights = [2 ** (len(choices) - index) for index in range(len(choices))]
            session = rng.choices(choices, weights=weights)[0]
            try:
                booking = booking_create(
                    participant=person, session=session, actor=Actor.delegate()
                )
            except MajlisError:
                continue
            booked += 1
            if booking.status == "confirmed" and rng.random() < 0.6:
                booking_check_in(
                    session=session, participant=person, actor=Actor.system()
                )
    return booked


# The sessions the demo's sign-in delegate holds a seat in, one a day (the
# sessions of a day overlap), first of all: their "my sessions" page then
# shows their tables once the groups are published.
DEMO_DELEGATE_SESSIONS = ("income-gender", "hazardous-work")


def _book_sign_in_delegate(event: Event) -> int:
    from majlis.bookings.services import Actor, booking_create
    from majlis.core.exceptions import MajlisError

    delegate = Participant.objects.filter(
        event=event, email=DEMO_DELEGATE_EMAIL
    ).first()
    if delegate is None:
        return 0
    booked = 0
    for session in Session.objects.filter(
        event=event, code__in=DEMO_DELEGATE_SESSIONS
    ).order_by("starts_at", "code"):
        try:
            booking_create(
                participant=delegate, session=session, actor=Actor.delegate()
            )
        except MajlisError:  # booked already, at a demo loaded before
            continue
        booked += 1
    return booked


# The groups each interactive session forms (issue: "Run the session itself").
DEMO_GROUPS: dict[str, tuple[str, int, int]] = {
    # code: (kind, largest group, rounds)
    "income-gender": ("cafe", 6, 3),
    "targets-2030": ("topics", 0, 1),
    "hazardous-work": ("teams", 6, 1),
    "future-action": ("teams", 6, 1),
    "humanitarian-toolkit": ("teams", 6, 1),
    "data-risk": ("teams", 6, 1),
    "investing-agriculture": ("teams", 6, 1),
}
DEMO_TOPICS = [
    {
        "en": "Measuring child labour",
        "fr": "Mesurer le travail des enfants",
        "es": "Medir el trabajo infantil",
        "ar": "قياس عمل الأطفال",
    },
    {
        "en": "Targets for hazardous work",
        "fr": "Des cibles pour les travaux dangereux",
        "es": "Metas para el trabajo peligroso",
        "ar": "أهداف خاصة بالأعمال الخطرة",
    },
    {
        "en": "Data from surveys and registers",
        "fr": "Les données des enquêtes et des registres",
        "es": "Datos de encuestas y registros",
        "ar": "بيانات المسوح والسجلات",
    },
    {
        "en": "Following progress country by country",
        "fr": "Suivre les progrès pays par pays",
        "es": "Seguir los avances país por país",
        "ar": "متابعة التقدم بلدًا بلدًا",
    },
]


def demo_groups(*, event: Event, seed: int = 2026) -> int:
    """Form and publish the groups of each interactive session from its
    confirmed bookings, through the groups services: a World Café, working
    groups on topics (with some delegates' topic preferences), and teams.
    A session that already has its groups, or too few people, is left as it
    is. Returns how many sessions got their groups."""
    from majlis.core.exceptions import MajlisError
    from majlis.groups import services
    from majlis.groups.models import GroupSeat
    from majlis.groups.selectors import eligible_bookings

    rng = random.Random(seed)
    planned = 0
    for session in Session.objects.filter(event=event, code__in=DEMO_GROUPS).order_by(
        "starts_at", "code"
    ):
        if GroupSeat.objects.filter(plan__session=session).exists():
            continue
        kind, size, rounds = DEMO_GROUPS[session.code]
        people = list(eligible_bookings(session, "confirmed"))
        if kind == "topics":
            if len(people) < 2 * len(DEMO_TOPICS):
                continue
            services.set_topics(actor=None, session=session, topics=DEMO_TOPICS)
            for booking in people:
                if rng.random() < 0.7:
                    tables = list(range(1, len(DEMO_TOPICS) + 1))
                    rng.shuffle(tables)
                    services.set_topic_preference(
                        participant=booking.participant,
                        session=session,
                        choices=tables[: rng.randint(1, 3)],
                    )
        elif len(people) < 2:
            continue
        try:
            plan = services.plan_groups(
                actor=None,
                session=session,
                kind=kind,
                group_size=size or None,
                rounds=rounds,
                seed=seed,
            )
        except MajlisError:
            continue
        services.publish(actor=None, plan=plan)
        planned += 1
    return planned
