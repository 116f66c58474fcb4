"""The JSON API, v1: thin endpoints over the services and selectors.

Every error leaves as ``{"error": {"code", "message"}}`` (see ``error_response``),
with the message in the request's language (``?lang=`` or Accept-Language).
"""

import time
from typing import Annotated

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Path, Query, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import WithJsonSchema

from majlis.accounts.models import Participant
from majlis.accounts.services import (
    SIGN_IN_CLIENT_LIMIT,
    magic_link_request,
    participant_token_create,
    participant_token_revoke,
    participant_update,
    participant_upsert,
)
from majlis.api.auth import (
    Caller,
    any_auth,
    api_key_auth,
    forget_token,
    participant_auth,
)
from majlis.api.schemas import (
    AcceptedOut,
    AccessNeedsIn,
    AccessNeedsOut,
    BookingIn,
    BookingListOut,
    BookingMadeOut,
    BookingOut,
    ErrorOut,
    HealthOut,
    MagicLinkIn,
    MyBookingOut,
    ParticipantIn,
    ParticipantOut,
    ParticipantPatchIn,
    RosterEntryOut,
    RosterOut,
    SeatOut,
    SessionListOut,
    SessionOut,
    TokenOut,
)
from majlis.api.validation import invalid_request
from majlis.bookings.idempotency import fingerprint
from majlis.bookings.models import Booking, BookingStatus
from majlis.bookings.selectors import (
    access_needs_counts,
    booking_get_for_participant,
    booking_list_for_participant,
    session_roster,
    sessions_released_by_switch,
)
from majlis.bookings.services import (
    Actor,
    BookingAnswer,
    IdempotencyClaim,
    booking_cancel,
    booking_request,
    booking_update_access_needs,
)
from majlis.core.exceptions import (
    DatabaseUnavailable,
    InvalidInput,
    MajlisError,
    NotFound,
    RequestTooLarge,
    Unauthenticated,
)
from majlis.core.ratelimit import client_address, limiter
from majlis.events.models import Event, SpokenLanguage
from majlis.events.selectors import (
    event_get,
    programme_rows,
    session_get,
)
from majlis.groups.selectors import published_seats_of_bookings

api = NinjaAPI(
    title="Majlis API",
    version="1",
    description=(
        "Book seats in the interactive sessions of a conference. Send "
        "`Authorization: Bearer <token>` with a delegate's token (`mjp_...`) or an "
        "integration's API key (`mjk_...`). Every error has the shape "
        '`{"error": {"code": "...", "message": "..."}}`, the message in the '
        "language of `?lang=` or `Accept-Language`."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    # The Swagger UI bundled in django-ninja's wheel (its version pinned with
    # the package), served with the other static files, since "ninja" is an
    # installed app: the reference works offline and loads nothing from
    # another site. Swagger UI would otherwise fetch a validity badge from
    # validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)


# A delegate's address in a path: Django's EmailField checks it when a
# delegate is written; a look-up of anything else finds nobody (404).
EmailInPath = Annotated[
    str, WithJsonSchema({"type": "string", "format": "email"}), Path()
]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an operation can answer, each in the error shape.
    Every one it can answer is listed, and none it cannot
    (tests/test_documented_statuses.py derives them from the code); 503, a
    database lost or too busy, can meet any of them."""
    return dict.fromkeys({*statuses, 503}, ErrorOut)


def error_body(error: MajlisError) -> dict:
    return error.as_answer()


def error_response(request: HttpRequest, error: MajlisError) -> HttpResponse:
    response = api.create_response(request, error_body(error), status=error.http_status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(MajlisError)
def on_majlis_error(request: HttpRequest, error: MajlisError) -> HttpResponse:
    return error_response(request, error)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: Exception) -> HttpResponse:
    return error_response(request, Unauthenticated())


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return error_response(request, invalid_request(error.errors))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """A lost or refused database connection (majlis/core/database_outage.py)."""
    return error_response(request, DatabaseUnavailable())


@api.exception_handler(RequestDataTooBig)
def on_request_too_large(request: HttpRequest, error: Exception) -> HttpResponse:
    return error_response(request, RequestTooLarge())


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    return error_response(request, NotFound())


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400:
        # django-ninja's only 400 is a body it cannot parse.
        return error_response(
            request, InvalidInput(_("The request body is not valid JSON."))
        )
    failure = MajlisError(str(error))
    failure.http_status = error.status_code
    return error_response(request, failure)


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer in the API's error shape too."""
    return error_response(request, NotFound())


def caller_of(request: HttpRequest) -> Caller:
    caller = getattr(request, "auth", None)
    if not isinstance(caller, Caller):
        raise Unauthenticated()
    return caller


@api.get("/health/live", response={200: HealthOut}, auth=None)
def health_live(request: HttpRequest) -> HealthOut:
    """For load balancers: the process answers. Touches no database, so a busy
    or restarting database does not take every server out of rotation."""
    return HealthOut(status="ok")


@api.get("/health/ready", response={200: HealthOut, **errors(503)}, auth=None)
def health_ready(request: HttpRequest) -> HealthOut:
    """For load balancers: the process answers and reaches its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        raise DatabaseUnavailable() from error
    return HealthOut(status="ok")


def _participant_of(event: Event, email: str) -> Participant:
    participant = Participant.objects.filter(event=event, email__iexact=email).first()
    if participant is None:
        raise NotFound()
    return participant


@api.get(
    "/events/{event}/sessions",
    response={200: SessionListOut, **errors(400, 404)},
    auth=None,
)
def sessions_list(
    request: HttpRequest,
    event: str,
    understood: Annotated[
        SpokenLanguage | None,
        Query(description="Only the sessions held or interpreted in this language"),
    ] = None,
) -> HttpResponse:
    """The event's sessions with seats left, in the request's language.

    Seats left are at most ``MAJLIS_PROGRAMME_FRESH_SECONDS`` (one) old: in a
    flash crowd every delegate reloads this list, and each server process
    reads the sessions once a second, and builds the list once in that second
    per language, instead of once a request.
    """
    fresh_for = settings.MAJLIS_PROGRAMME_FRESH_SECONDS
    key = f"{event}:{translation.get_language()}:{understood or ''}"
    content = caches["programme"].get(key) if fresh_for else None
    if content is None:
        rows = programme_rows(slug=event, understood=understood, fresh_for=fresh_for)
        listing = SessionListOut(
            sessions=[SessionOut.from_session(s) for s in rows.sessions]
        )
        content = api.create_response(request, listing, status=200).content
        # Kept only as long as the rows it was built from are fresh.
        remaining = rows.read_at + fresh_for - time.time()
        if fresh_for and remaining > 0:
            caches["programme"].set(key, content, remaining)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    # A reverse proxy or CDN in front may share it for the same second, per
    # language (chosen by ?lang=, the language cookie or Accept-Language).
    patch_cache_control(response, public=True, max_age=max(fresh_for, 0))
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@api.get(
    "/events/{event}/sessions/{code}",
    response={200: SessionOut, **errors(404)},
    auth=None,
)
def session_detail(request: HttpRequest, event: str, code: str) -> SessionOut:
    return SessionOut.from_session(session_get(event=event_get(slug=event), code=code))


@api.put(
    "/events/{event}/participants/{email}",
    response={
        200: ParticipantOut,
        201: ParticipantOut,
        **errors(400, 401, 403, 404, 413),
    },
    auth=api_key_auth,
)
def participant_put(
    request: HttpRequest, event: str, email: EmailInPath, payload: ParticipantIn
) -> Status[ParticipantOut]:
    """Create (201) or update (200) a registered delegate, replacing every field
    but a gender left out, which keeps its value (`PATCH` changes some)."""
    found = event_get(slug=event)
    caller_of(request).require_event(found)
    participant, created = participant_upsert(
        # Unset: the optional gender, left out, keeps the stored one.
        event=found,
        data={"email": email, **payload.dict(mode="json", exclude_unset=True)},
    )
    return Status(
        201 if created else 200,
        ParticipantOut(**ParticipantOut.fields_of(participant)),
    )


@api.patch(
    "/events/{event}/participants/{email}",
    response={200: ParticipantOut, **errors(400, 401, 403, 404, 413)},
    auth=api_key_auth,
)
def participant_patch(
    request: HttpRequest, event: str, email: EmailInPath, payload: ParticipantPatchIn
) -> ParticipantOut:
    """Change some fields of a registered delegate; those left out keep their value."""
    found = event_get(slug=event)
    caller_of(request).require_event(found)
    participant = participant_update(
        participant=_participant_of(found, email),
        changes=payload.dict(mode="json", exclude_unset=True),
    )
    return ParticipantOut(**ParticipantOut.fields_of(participant))


@api.post(
    "/events/{event}/participants/{email}/token",
    response={201: TokenOut, **errors(401, 403, 404)},
    auth=api_key_auth,
)
def participant_token(
    request: HttpRequest, event: str, email: EmailInPath
) -> Status[TokenOut]:
    """A delegate token, for an integration that authenticated the delegate itself."""
    found = event_get(slug=event)
    caller_of(request).require_event(found)
    participant = _participant_of(found, email)
    return Status(
        201, TokenOut(token=participant_token_create(participant=participant))
    )


@api.post(
    "/auth/magic-link",
    response={202: AcceptedOut, **errors(400, 413, 429)},
    auth=None,
)
def magic_link(request: HttpRequest, payload: MagicLinkIn) -> Status[AcceptedOut]:
    """Email a sign-in link; the answer is the same whether or not the address is known.

    429 `too_many_requests` when this client asked for too many links, or when
    a link was asked for this address a moment ago (once a minute): the
    message says that it is on its way or in the inbox, and still works.
    """
    limiter().hit(SIGN_IN_CLIENT_LIMIT, client_address(request))
    event = Event.objects.filter(slug=payload.event).first()
    if event is not None:
        magic_link_request(event=event, email=payload.email)
    return Status(
        202,
        AcceptedOut(
            detail=_("If this address is registered, a sign-in link is on its way.")
        ),
    )


@api.get(
    "/me/bookings",
    response={200: BookingListOut, **errors(401, 403)},
    auth=participant_auth,
)
def my_bookings(request: HttpRequest) -> BookingListOut:
    """The delegate's bookings, cancelled ones too, with each session's title and
    room in the request's language, its times, the place in the queue, and
    their table in each round once the session's groups are published."""
    participant = caller_of(request).require_participant()
    bookings = list(booking_list_for_participant(participant=participant))
    seats = published_seats_of_bookings([b.pk for b in bookings])
    return BookingListOut(
        bookings=[
            MyBookingOut.from_booking(
                b,
                b.waitlist_position,  # type: ignore[attr-defined]
                [SeatOut(**vars(seat)) for seat in seats.get(b.pk, [])],
            )
            for b in bookings
        ]
    )


@api.delete(
    "/me/token", response={204: None, **errors(401, 403)}, auth=participant_auth
)
def my_token_revoke(request: HttpRequest) -> Status[None]:
    """Sign out: the token this request carries stops working, at once on the
    server that answers, within ``MAJLIS_TOKEN_CACHE_SECONDS`` on the others.
    The delegate's other tokens (other devices) keep working."""
    token = caller_of(request).participant_token
    if token is None:  # only a delegate's token passes participant_auth
        raise Unauthenticated()
    participant_token_revoke(token=token)
    forget_token(token)
    return Status(204, None)


@api.post(
    "/events/{event}/sessions/{code}/bookings",
    response={
        201: BookingMadeOut,
        **errors(400, 401, 403, 404, 409, 413, 422, 429, 503),
    },
    auth=participant_auth,
)
def booking_post(
    request: HttpRequest,
    event: str,
    code: str,
    payload: BookingIn | None = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique string; a retry with the same key books nothing more.",
            max_length=200,
        ),
    ] = None,
) -> HttpResponse:
    """Book a seat, or join the waiting list when the session is full.

    Send `"switch": true` to leave a seat held at the same time; `released`
    names the sessions whose seats it left. A retry with the same
    `Idempotency-Key` header gets the first answer and books nothing more.
    """
    caller = caller_of(request)
    participant = caller.require_participant()
    body = payload or BookingIn(switch=False, access_needs=[], access_needs_note="")
    answer = booking_request(
        participant=participant,
        event_slug=event,
        session_code=code,
        switch=body.switch,
        access_needs=[str(need) for need in body.access_needs],
        access_needs_note=body.access_needs_note,
        idempotency=IdempotencyClaim(
            caller.principal,
            idempotency_key[:200],
            fingerprint(request.method or "", request.path, request.body),
        )
        if idempotency_key
        else None,
    )
    body_out = answer.body
    if not answer.refused:
        body_out = {**answer.body, "released": _released_by(answer, switch=body.switch)}
    return api.create_response(request, body_out, status=answer.http_status)


def _released_by(answer: BookingAnswer, *, switch: bool) -> list[str]:
    """The sessions whose seats a booking request released, read from the
    booking's audit trail rather than stored with the answer, so that a retry
    (whose answer the database stored on PostgreSQL) hears the same. Only a
    confirmed switch releases seats: a plain booking spares the audit's read."""
    if not switch or answer.status != BookingStatus.CONFIRMED:
        return []
    released = sessions_released_by_switch(booking_id=answer.booking_id or 0)
    return [session.code for session in released]


@api.delete(
    "/bookings/{booking_id}",
    response={200: BookingOut, **errors(400, 401, 403, 404, 429, 503)},
    auth=any_auth,
)
def booking_delete(request: HttpRequest, booking_id: int) -> BookingOut:
    """Cancel a booking: its delegate, or an integration on their behalf."""
    caller = caller_of(request)
    if caller.participant is not None:
        booking = booking_get_for_participant(
            participant=caller.participant, booking_id=booking_id
        )
        actor = Actor.delegate()
    elif caller.api_key is not None:
        found = (
            Booking.objects.select_related("session", "session__event")
            .filter(pk=booking_id)
            .first()
        )
        if found is None:
            raise NotFound()
        caller.require_event(found.session.event)
        booking = found
        actor = Actor.integration(caller.api_key)
    else:
        raise Unauthenticated()
    cancelled = booking_cancel(booking=booking, actor=actor)
    cancelled.session = booking.session
    return BookingOut.from_booking(cancelled, None)


@api.get(
    "/events/{event}/sessions/{code}/roster",
    response={200: RosterOut, **errors(401, 403, 404)},
    auth=api_key_auth,
)
def roster(request: HttpRequest, event: str, code: str) -> RosterOut:
    found = event_get(slug=event)
    caller_of(request).require_event(found)
    session = session_get(event=found, code=code)
    lists = session_roster(session=session)

    def entry(booking: Booking, position: int | None) -> RosterEntryOut:
        return RosterEntryOut(
            **ParticipantOut.fields_of(booking.participant),
            booking=booking.pk,
            access_needs=booking.access_needs,
            access_needs_note=booking.access_needs_note,
            waitlist_position=position,
        )

    return RosterOut(
        confirmed=[entry(b, None) for b in lists["confirmed"]],
        waitlisted=[entry(b, i) for i, b in enumerate(lists["waitlisted"], start=1)],
        access_needs_counts=access_needs_counts(lists["confirmed"]),
    )


@api.patch(
    "/bookings/{booking_id}",
    response={200: AccessNeedsOut, **errors(400, 401, 403, 404, 409, 413, 429)},
    auth=participant_auth,
)
def booking_access_needs(
    request: HttpRequest, booking_id: int, payload: AccessNeedsIn
) -> AccessNeedsOut:
    """Change the access needs stated with a booking (its delegate only)."""
    participant = caller_of(request).require_participant()
    booking = booking_get_for_participant(
        participant=participant, booking_id=booking_id
    )
    updated = booking_update_access_needs(
        booking=booking,
        needs=[str(need) for need in payload.access_needs],
        note=payload.access_needs_note,
        actor=Actor.delegate(),
    )
    return AccessNeedsOut(
        id=updated.pk,
        access_needs=updated.access_needs,
        access_needs_note=updated.access_needs_note,
    )
