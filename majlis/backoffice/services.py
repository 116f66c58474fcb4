"""Changes the back office makes that are not bookings (those go through
``majlis.bookings.services``)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.bookings.models import Booking, BookingStatus
from majlis.core.exceptions import InvalidInput
from majlis.events.models import Event, Session
from majlis.outbox.services import outbox_enqueue

AUDIENCE_STATUSES = {
    SessionMessage.Audience.CONFIRMED: [BookingStatus.CONFIRMED],
    SessionMessage.Audience.WAITLISTED: [BookingStatus.WAITLISTED],
    SessionMessage.Audience.BOTH: [BookingStatus.CONFIRMED, BookingStatus.WAITLISTED],
}
SUBJECT_ON_ONE_LINE = gettext_lazy(
    "The subject must fit on one line: remove its line breaks."
)


def subject_has_line_break(subject: str) -> bool:
    """An email's subject is one header line: Django refuses to send one that
    holds a line break (any that ``str.splitlines`` knows, not only CR and LF)."""
    return len(subject.strip().splitlines()) > 1


@transaction.atomic
def session_message_send(
    *,
    session: Session,
    author: User,
    audience: str,
    subject: str,
    body: str,
) -> SessionMessage:
    """Write to the delegates of a session: one outbox message each, in the same
    transaction as the record of what was sent and to whom."""
    if audience not in AUDIENCE_STATUSES or not subject.strip() or not body.strip():
        raise InvalidInput(_("A message needs its recipients, a subject and a text."))
    if subject_has_line_break(subject):
        # Refused here, not by the outbox days later: nothing is queued.
        raise InvalidInput(SUBJECT_ON_ONE_LINE)
    people = [
        booking.participant
        for booking in Booking.objects.filter(
            session=session,
            status__in=AUDIENCE_STATUSES[SessionMessage.Audience(audience)],
        )
        .select_related("participant")
        .order_by("participant__name")
    ]
    message = SessionMessage.objects.create(
        session=session,
        author=author,
        audience=audience,
        subject=subject.strip(),
        body=body.strip(),
        recipients=[person.email for person in people],
    )
    for person in people:
        outbox_enqueue(
            kind="session_message",
            to_email=person.email,
            language=person.language,
            payload={"message": message.pk, "participant": person.pk},
        )
    return message


@transaction.atomic
def staff_invite(
    *,
    event: Event,
    email: str,
    role: str,
    sessions: list[Session],
    language: str,
    replace: bool = False,
) -> StaffRole:
    """Give someone a role in the event and email them a link to set their password.

    A new address gets a user with no usable password; an existing user keeps
    theirs and is told of the role. Someone who has a role here already keeps
    it unless ``replace`` says to replace it. The email goes through the
    outbox and tells the role as given now, whatever it becomes before it is
    sent. Raises ``InvalidInput``.
    """
    staff_role_check(role=role, sessions=sessions, event=event)
    address = email.strip().lower()
    user = User.objects.filter(email__iexact=address).first()
    if (
        user is not None
        and not replace
        and StaffRole.objects.filter(user=user, event=event).exists()
    ):
        raise InvalidInput(ALREADY_HAS_A_ROLE)
    if user is None:
        user = User.objects.create_user(username=address, email=address)
        user.set_unusable_password()
        user.save()
    staff, _created = StaffRole.objects.update_or_create(
        user=user, event=event, defaults={"role": role}
    )
    # As in staff_role_change: the secretariat sees every session, so keeps no list.
    given = [] if role == StaffRole.Role.SECRETARIAT else sessions
    staff.sessions.set(given)
    outbox_enqueue(
        kind="staff_invite",
        to_email=address,
        language=language,
        payload={
            "user": user.pk,
            "event": event.pk,
            "role": role,
            "sessions": [session.pk for session in given],
        },
    )
    return staff


ALREADY_HAS_A_ROLE = gettext_lazy(
    "This address has a role here already: confirm that the new role replaces it."
)
NEEDS_A_SESSION = gettext_lazy(
    "Choose at least one session: session organisers and door staff work only "
    "at the sessions ticked."
)


def staff_role_check(*, role: str, sessions: list[Session], event: Event) -> None:
    """Refuse a role that is not one, another event's sessions, or a session
    organiser or door staff without a session (they would see nothing)."""
    if role not in StaffRole.Role.values:
        raise InvalidInput(_("Choose a role."))
    if any(session.event_id != event.pk for session in sessions):
        raise InvalidInput(_("Choose sessions of this event."))
    if role != StaffRole.Role.SECRETARIAT and not sessions:
        raise InvalidInput(NEEDS_A_SESSION)


@transaction.atomic
def staff_role_change(
    *, staff: StaffRole, role: str, sessions: list[Session], changed_by: User
) -> StaffRole:
    """Give a member of staff another role, or other sessions, in the same event.

    The secretariat sees every session, so a secretariat role keeps no list of
    sessions (none would come back if the role were later narrowed). Nobody
    changes their own role: one slip would lock them out of this page.
    """
    if staff.user_id == changed_by.pk:
        raise InvalidInput(_("You cannot change your own role."))
    staff_role_check(role=role, sessions=sessions, event=staff.event)
    staff.role = role
    staff.save(update_fields=["role"])
    staff.sessions.set([] if role == StaffRole.Role.SECRETARIAT else sessions)
    return staff
