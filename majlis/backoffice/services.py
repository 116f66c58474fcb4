"""Changes the back office makes that are not bookings (those go through
``majlis.bookings.services``)."""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.backoffice.selectors import AUDIENCE_STATUSES, session_message_recipients
from majlis.core.exceptions import InvalidInput
from majlis.events.models import Event, Session
from majlis.outbox.services import outbox_enqueue

SUBJECT_ON_ONE_LINE = gettext_lazy(
    "The subject must fit on one line: remove its line breaks."
)
ALREADY_SENT = gettext_lazy(
    "This message was already sent, from this preview or another of the same"
    " text: it was not sent again. Its recipients are listed below."
)


def subject_has_line_break(subject: str) -> bool:
    """An email's subject is one header line: Django refuses to send one that
    holds a line break (any that ``str.splitlines`` knows, not only CR and LF)."""
    return len(subject.strip().splitlines()) > 1


def _plain_text(text: str) -> str:
    """``text`` stripped, its line ends as email and the database keep them
    (a browser sends a text area's lines ended by CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def reply_to_choices(*, author: User, event: Event) -> list[str]:
    """The addresses a message's replies may go to: its author's, the event's."""
    return [address for address in (author.email, event.contact_email) if address]


def session_message_versions(
    versions: dict[str, dict[str, str]] | None,
) -> dict[str, dict[str, str]]:
    """The versions in other languages, stripped, without empty ones; raises
    ``InvalidInput`` for an unknown language or a subject on several lines."""
    languages = {code for code, _name in settings.LANGUAGES}
    kept: dict[str, dict[str, str]] = {}
    for language, version in (versions or {}).items():
        if language not in languages:
            raise InvalidInput(_("Choose languages Majlis speaks."))
        text = {part: (version.get(part) or "").strip() for part in ("subject", "body")}
        if subject_has_line_break(text["subject"]):
            raise InvalidInput(SUBJECT_ON_ONE_LINE)
        text = {part: value for part, value in text.items() if value}
        if text:
            kept[language] = text
    return kept


@transaction.atomic
def session_message_send(
    *,
    session: Session,
    author: User,
    audience: str,
    subject: str,
    body: str,
    versions: dict[str, dict[str, str]] | None = None,
    reply_to: str = "",
    send_token: UUID | None = None,
) -> SessionMessage:
    """Write to the delegates of a session: one outbox message each, in the same
    transaction as the record of what was sent and to whom.

    ``send_token`` names the preview the message is confirmed from: a second
    send from the same preview is refused (``InvalidInput``), whichever comes
    first when both arrive at once.

    ``versions`` holds the message in other languages (``{"fr": {"subject",
    "body"}}``): each delegate gets the version in their language, the main
    text for what it lacks. ``reply_to`` is the author's address or the
    event's (``reply_to_choices``), or empty. Raises ``InvalidInput``."""
    if audience not in AUDIENCE_STATUSES or not subject.strip() or not body.strip():
        raise InvalidInput(_("A message needs its recipients, a subject and a text."))
    if subject_has_line_break(subject):
        # Refused here, not by the outbox days later: nothing is queued.
        raise InvalidInput(SUBJECT_ON_ONE_LINE)
    kept = session_message_versions(versions)
    if reply_to and reply_to not in reply_to_choices(
        author=author, event=session.event
    ):
        raise InvalidInput(
            _("Replies may go to your address or to the event's, nowhere else.")
        )
    people = session_message_recipients(session=session, audience=audience)
    try:
        # A savepoint: a send of the same preview, before or at once, holds
        # the token (unique), and this one is refused.
        with transaction.atomic():
            message = SessionMessage.objects.create(
                session=session,
                author=author,
                audience=audience,
                subject=subject.strip(),
                body=_plain_text(body),
                versions=kept,
                reply_to=reply_to,
                recipients=[person.email for person in people],
                send_token=send_token,
            )
    except IntegrityError:
        raise InvalidInput(ALREADY_SENT) from None
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
    invited_by: User | None = None,
) -> StaffRole:
    """Give someone a role in the event and email them a link to set their password.

    A new address gets a user with no usable password; an existing user keeps
    theirs and is told of the role. Someone who has a role here already keeps
    it unless ``replace`` says to replace it. The email goes through the
    outbox and tells the role as given now, whatever it becomes before it is
    sent. Nobody replaces their own role (``invited_by``), as in
    ``staff_role_change``. Raises ``InvalidInput``.
    """
    staff_role_check(role=role, sessions=sessions, event=event)
    address = email.strip().lower()
    user = User.objects.filter(email__iexact=address).first()
    if (
        user is not None
        and invited_by is not None
        and user.pk == invited_by.pk
        and StaffRole.objects.filter(user=user, event=event).exists()
    ):
        raise InvalidInput(_("You cannot change your own role."))
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
