"""The back office's emails (messages to a session, staff invitations),
registered with the outbox."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from majlis.accounts.models import Language, Participant
from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.core.translation import isolate_text
from majlis.events.models import Event, Session
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import (
    MessageKind,
    absolute_url,
    one_line,
    register_kinds,
)


def render_session_message(message: OutboxMessage, _batch: object) -> EmailMessage:
    written = SessionMessage.objects.select_related("session", "session__event").get(
        pk=message.payload["message"]
    )
    return session_message_email(
        written, language=message.language, to=message.to_email
    )


def session_message_email(
    written: SessionMessage, *, language: str, to: str = ""
) -> EmailMessage:
    """The email a delegate of ``language`` gets for ``written`` (saved or
    not), rendered in the active language: the outbox sends it, the preview
    shows it."""
    session = written.session
    subject_text, body_text = written.text_in(language)
    context = {
        "body": body_text,
        "session": session,
        "event_name": session.event.name,
        "session_url": absolute_url(
            reverse(
                "session-detail",
                kwargs={"event": session.event.slug, "code": session.code},
            )
        ),
    }
    body = render_to_string("backoffice/email/session_message.txt", context)
    # The organiser's subject, written for this language, is left as the
    # message's own text, like its body: the first letter outside the
    # isolated title gives the line its direction.
    subject = _("%(session)s: %(subject)s") % {
        "session": isolate_text(session.title),
        "subject": subject_text,
    }
    return EmailMessage(
        subject=subject,
        body=body,
        to=[to] if to else [],
        reply_to=[written.reply_to] if written.reply_to else None,
    )


@dataclass(frozen=True)
class MessagePreview:
    """A message as the delegates of one language will read it."""

    language: str
    label: str  # the language's name, in the reader's
    count: int
    subject: str
    body: str
    bidi: bool


def session_message_previews(
    *, written: SessionMessage, recipients: list[Participant]
) -> list[MessagePreview]:
    """The unsaved message ``written`` rendered as it will be sent, once for
    each language its ``recipients`` read, in the order of Majlis's
    languages, each with its number of recipients."""
    counts: dict[str, int] = {}
    for person in recipients:
        counts[person.language] = counts.get(person.language, 0) + 1
    previews = []
    for code, _name in settings.LANGUAGES:
        if code not in counts:
            continue
        with translation.override(code):
            email = session_message_email(written, language=code)
        previews.append(
            MessagePreview(
                language=code,
                label=str(Language(code).label),
                count=counts[code],
                subject=one_line(str(email.subject)),
                body=str(email.body),
                bidi=translation.get_language_info(code)["bidi"],
            )
        )
    return previews


def render_staff_invite(message: OutboxMessage, _batch: object) -> EmailMessage:
    """The role and sessions as they were given at the invitation (the
    payload), not as they are when the outbox gets to it: an invitation
    followed by a change of role is two messages, each true when written."""
    payload = message.payload
    user = User.objects.get(pk=payload["user"])
    event = Event.objects.get(pk=payload["event"])
    if "role" in payload:
        role = payload["role"]
        session_ids = payload.get("sessions", [])
    else:  # queued before invitations kept their role
        staff = StaffRole.objects.get(user=user, event=event)
        role = staff.role
        session_ids = list(staff.sessions.values_list("pk", flat=True))
    sessions = Session.objects.filter(pk__in=session_ids, event=event).order_by(
        "starts_at", "code"
    )
    # Made when sent: the link stays valid for PASSWORD_RESET_TIMEOUT from now,
    # and stops working once the password is set.
    link = absolute_url(
        reverse(
            "backoffice:set-password",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    context = {
        "event_name": event.name,
        "role": StaffRole.Role(role).label,
        "sessions": [session.title for session in sessions.select_related("event")],
        "username": user.get_username(),
        "link": link,
        "login": absolute_url(reverse("backoffice:login")),
        "has_password": user.has_usable_password(),
    }
    subject = _("Your role at %(event)s") % {"event": isolate_text(event.name)}
    body = render_to_string("backoffice/email/staff_invite.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def register() -> None:
    register_kinds(["session_message"], MessageKind(render=render_session_message))
    register_kinds(
        ["staff_invite"], MessageKind(render=render_staff_invite, urgent=True)
    )
