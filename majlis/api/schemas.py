"""The shapes of the API's requests and answers (OpenAPI is generated from these)."""

from typing import Annotated, Any

from django.utils import timezone
from django_countries import countries
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    WithJsonSchema,
    model_validator,
)

from majlis.accounts.models import Constituency, Gender, Language, Participant
from majlis.bookings.models import AccessNeed, Booking
from majlis.events.models import Session, SessionFormat
from majlis.events.selectors import booking_open_now


class ErrorBody(Schema):
    code: str = Field(examples=["time_conflict"])
    message: str = Field(description="Whole sentences, in the request's language")
    details: dict[str, object] | None = Field(
        None,
        description=(
            "What a program needs, such as the booking in the way; for "
            "`invalid`, `fields`: each field's problems, as "
            '`{"message", "code", "in"?, "allowed"?}`'
        ),
    )


class ErrorOut(Schema):
    error: ErrorBody


class SessionOut(Schema):
    code: str
    title: str
    description: str
    organisers: list[str]
    format: str = Field(description="One of: " + ", ".join(SessionFormat.values))
    format_label: str
    room: str
    starts_at: str = Field(
        description="ISO 8601 with the offset of the event's time zone"
    )
    ends_at: str
    time_zone: str
    capacity: int
    seats_left: int
    waitlist_length: int
    booking_open: bool
    languages: list[str] = Field(
        description="Codes of the languages spoken in the session"
    )
    interpretation: list[str] = Field(
        description="Codes of the languages interpreted into"
    )

    @staticmethod
    def from_session(session: Session) -> "SessionOut":
        zone = session.event.zone
        return SessionOut(
            code=session.code,
            title=session.title,
            description=session.description,
            organisers=list(session.organisers),
            format=session.format,
            format_label=str(session.get_format_display()),
            room=session.room,
            starts_at=timezone.localtime(session.starts_at, zone).isoformat(),
            ends_at=timezone.localtime(session.ends_at, zone).isoformat(),
            time_zone=session.event.time_zone,
            capacity=session.capacity,
            seats_left=session.seats_left,
            waitlist_length=getattr(session, "waitlist_length", 0),
            booking_open=booking_open_now(session),
            languages=list(session.languages),
            interpretation=list(session.interpretation),
        )


class SessionListOut(Schema):
    sessions: list[SessionOut]


class JsonObjectIn(Schema):
    """A request body that must be a JSON object.

    When every field has a default, django-ninja would otherwise take any JSON
    value (a list, a number) as an empty body.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _only_an_object(
        cls, value: Any, handler: ModelWrapValidatorHandler[Any]
    ) -> Any:
        raw = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(raw, dict):
            raise ValueError("the body must be a JSON object")
        return handler(value)


COUNTRY_DESCRIPTION = "ISO 3166-1 alpha-2 code, such as MA; empty when unknown"
LANGUAGE_DESCRIPTION = "The language of the delegate's email and pages"
# What the delegates' form takes, said in the document so that a client (and
# schemathesis) knows it: a name with a character that is not a space (the
# form strips the rest; the characters of Python's str.isspace), and no NUL
# anywhere, which PostgreSQL cannot store. Escapes that JSON Schema, Python
# and pydantic's Rust regex all read the same.
_SPACES = (
    r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000"
)
NAME_PATTERN = rf"^[^\u0000]*[^\u0000{_SPACES}][^\u0000]*$"
TEXT_PATTERN = r"^[^\u0000]*$"


def _country_codes() -> list[str]:
    """The codes a delegate's country may be given as: capitals, as stored, or
    small letters, which the delegates' form takes too."""
    codes = list(countries.countries)
    return ["", *codes, *(code.lower() for code in codes)]


# Documented only: the delegates' form checks the code and says what is wrong.
CountryCode = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": _country_codes(), "description": COUNTRY_DESCRIPTION}
    ),
]

GENDER_DESCRIPTION = (
    "Optional, used only to mix the tables of a session's groups; empty when not given"
)


class ParticipantIn(Schema):
    """Every field of a delegate: a PUT replaces them all, so none may be left
    out (a field left out would have been reset to its default), but the
    optional gender: left out, the stored one is kept."""

    name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN)
    organisation: str = Field(max_length=200, pattern=TEXT_PATTERN)
    constituency: Constituency
    country: CountryCode
    language: Language = Field(description=LANGUAGE_DESCRIPTION)
    gender: Gender = Field(None, description=GENDER_DESCRIPTION)  # type: ignore[assignment]


class ParticipantPatchIn(JsonObjectIn):
    """The fields to change; those left out keep their value.

    A field may be left out but not sent as null: its default, None, is never
    validated, so the document and the check say "a string, if present".
    """

    name: str = Field(None, min_length=1, max_length=200, pattern=NAME_PATTERN)  # type: ignore[assignment]
    organisation: str = Field(None, max_length=200, pattern=TEXT_PATTERN)  # type: ignore[assignment]
    constituency: Constituency = Field(None)  # type: ignore[assignment]
    country: CountryCode = Field(None)  # type: ignore[assignment]
    language: Language = Field(None, description=LANGUAGE_DESCRIPTION)  # type: ignore[assignment]
    gender: Gender = Field(None, description=GENDER_DESCRIPTION)  # type: ignore[assignment]


class ParticipantOut(Schema):
    email: str
    name: str
    organisation: str
    constituency: Constituency
    country: str = Field(description=COUNTRY_DESCRIPTION)
    language: Language = Field(description=LANGUAGE_DESCRIPTION)
    gender: Gender = Field(description=GENDER_DESCRIPTION)
    checkin_code: str

    @staticmethod
    def fields_of(participant: Participant) -> dict[str, Any]:
        return {
            "email": participant.email,
            "name": participant.name,
            "organisation": participant.organisation,
            "constituency": participant.constituency,
            "country": str(participant.country or ""),
            "language": participant.language,
            "gender": participant.gender,
            "checkin_code": participant.checkin_code,
        }


class TokenOut(Schema):
    token: str


class MagicLinkIn(Schema):
    event: str
    email: str


class AcceptedOut(Schema):
    detail: str


class HealthOut(Schema):
    status: str = Field(examples=["ok"])


class BookingIn(JsonObjectIn):
    switch: bool = False
    access_needs: list[AccessNeed] = Field(
        default_factory=list, description="What the delegate needs to take part"
    )
    access_needs_note: str = Field("", max_length=500)


class BookingOut(Schema):
    id: int
    session: str
    status: str
    waitlist_position: int | None

    @staticmethod
    def from_booking(booking: Booking, waitlist_position: int | None) -> "BookingOut":
        return BookingOut(
            id=booking.pk,
            session=booking.session.code,
            status=booking.status,
            waitlist_position=waitlist_position,
        )


class BookingMadeOut(BookingOut):
    """The answer to a booking request, the same for each retry of it."""

    released: list[str] = Field(
        description="Codes of the sessions whose seats this request released "
        'to book this one (a `"switch": true` request); empty otherwise'
    )


class SeatOut(Schema):
    """The delegate's table in one round of the session's groups."""

    round: int = Field(description="From 1")
    table: int = Field(description="From 1")
    topic: str = Field(
        description="The working group's topic in the request's language; "
        "empty unless the groups are working groups on topics"
    )
    host: bool = Field(description="The delegate hosts this table")


class MyBookingOut(BookingOut):
    """A booking with what a delegate needs to find their session."""

    title: str = Field(description="The session's title, in the request's language")
    starts_at: str = Field(
        description="ISO 8601 with the offset of the event's time zone"
    )
    ends_at: str
    time_zone: str
    room: str = Field(description="In the request's language")
    seats: list[SeatOut] = Field(
        default_factory=list,
        description="The delegate's table in each round, once the session's "
        "groups are published and while the seat is confirmed; empty otherwise",
    )

    @staticmethod
    def from_booking(
        booking: Booking,
        waitlist_position: int | None,
        seats: list[SeatOut] | None = None,
    ) -> "MyBookingOut":
        session = booking.session
        zone = session.event.zone
        return MyBookingOut(
            **BookingOut.from_booking(booking, waitlist_position).dict(),
            title=session.title,
            starts_at=timezone.localtime(session.starts_at, zone).isoformat(),
            ends_at=timezone.localtime(session.ends_at, zone).isoformat(),
            time_zone=session.event.time_zone,
            room=session.room,
            seats=seats or [],
        )


class BookingListOut(Schema):
    bookings: list[MyBookingOut]


class RosterEntryOut(ParticipantOut):
    booking: int
    access_needs: list[str]
    access_needs_note: str
    waitlist_position: int | None


class AccessNeedsIn(JsonObjectIn):
    access_needs: list[AccessNeed] = Field(default_factory=list)
    access_needs_note: str = Field("", max_length=500)


class AccessNeedsOut(Schema):
    id: int
    access_needs: list[str]
    access_needs_note: str


class RosterOut(Schema):
    confirmed: list[RosterEntryOut]
    waitlisted: list[RosterEntryOut]
    access_needs_counts: dict[str, int] = Field(
        description="How many confirmed delegates stated each access need"
    )
