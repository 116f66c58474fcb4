"""Changes to delegates and to the credentials that prove who is calling."""

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.accounts.forms import ParticipantForm
from majlis.accounts.models import (
    ApiKey,
    Constituency,
    Language,
    MagicLink,
    Participant,
    ParticipantToken,
    hash_secret,
)
from majlis.core.exceptions import InvalidInput
from majlis.core.ratelimit import Limit, limiter
from majlis.events.models import Event
from majlis.outbox.services import outbox_enqueue


def _form_errors(form: forms.Form) -> str:
    parts = []
    for field_name, errors in form.errors.items():
        label = field_name if field_name != "__all__" else ""
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return "; ".join(parts)


def participant_upsert(
    *, event: Event, data: dict[str, Any]
) -> tuple[Participant, bool]:
    """Create or update the delegate registered under ``data["email"]``.

    Returns the delegate and whether it was created. Raises ``InvalidInput``
    naming each bad field.
    """
    form = ParticipantForm(data)
    if not form.is_valid():
        raise InvalidInput(
            _form_errors(form), extra={"fields": form.errors.get_json_data()}
        )
    values = form.cleaned_data
    email = values.pop("email")
    values["constituency"] = values["constituency"] or Constituency.OTHER
    values["language"] = values["language"] or Language.EN
    for _attempt in range(2):
        try:
            return _participant_write(event, email, values)
        except IntegrityError:
            # Two requests registered the same new address at once; the loser
            # now finds the winner's row and updates it.
            continue
    return _participant_write(event, email, values)


def _participant_write(
    event: Event, email: str, values: dict[str, Any]
) -> tuple[Participant, bool]:
    with transaction.atomic():
        # no_key: a booking's foreign-key check on this row need not wait for us.
        participant = (
            Participant.objects.select_for_update(no_key=True)
            .filter(event=event, email__iexact=email)
            .first()
        )
        if participant is None:
            return Participant.objects.create(event=event, email=email, **values), True
        for name, value in values.items():
            setattr(participant, name, value)
        participant.save()
        return participant, False


@dataclass
class ImportRowError:
    line: int
    reason: str


class ImportRejected(InvalidInput):
    code = "import_rejected"

    def __init__(self, errors: list[ImportRowError]) -> None:
        self.errors = errors
        lines = "\n".join(
            _("line %(line)d: %(reason)s") % {"line": e.line, "reason": e.reason}
            for e in errors
        )
        super().__init__(lines, extra={"errors": [e.__dict__ for e in errors]})


IMPORT_COLUMNS = (
    "email",
    "name",
    "organisation",
    "constituency",
    "country",
    "language",
)


def participant_import_rows(
    *, event: Event, rows: list[tuple[int, dict[str, str]]]
) -> int:
    """Import delegates all at once or not at all.

    ``rows`` pairs each row with its line number in the file. Every bad row is
    reported (``ImportRejected``) and then nothing is written.
    """
    errors = participant_import_check(rows=rows)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for _line, row in rows:
            participant_upsert(event=event, data=row)
    return len(rows)


def participant_import_check(
    *, rows: list[tuple[int, dict[str, str]]]
) -> list[ImportRowError]:
    """Every problem of every row (a bad field, an address twice), writing nothing."""
    errors: list[ImportRowError] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        form = ParticipantForm(row)
        if not form.is_valid():
            errors.append(ImportRowError(line, _form_errors(form)))
            continue
        email = form.cleaned_data["email"].lower()
        if email in seen:
            errors.append(
                ImportRowError(
                    line,
                    _("%(email)s is already on line %(other)d.")
                    % {"email": email, "other": seen[email]},
                )
            )
        seen[email] = line
    return errors


def participant_token_create(*, participant: Participant) -> str:
    """Issue an API token for a delegate; the raw token is returned once, never stored."""
    raw = ParticipantToken.PREFIX + secrets.token_urlsafe(32)
    ParticipantToken.objects.create(participant=participant, key_hash=hash_secret(raw))
    return raw


def participant_token_revoke(*, token: ParticipantToken) -> None:
    """End a delegate's token (signing out of an app); revoking it again
    changes nothing."""
    ParticipantToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_key_create(*, name: str, event: Event | None) -> str:
    """Create an integration key for one event (``None``: every event, for the
    secretariat's own tools); the raw key is returned once, never stored."""
    raw = ApiKey.PREFIX + secrets.token_urlsafe(32)
    ApiKey.objects.create(name=name, event=event, key_hash=hash_secret(raw))
    return raw


# How often one client (an address, or a signed-in delegate) may ask for
# sign-in links, whichever addresses it asks them for.
SIGN_IN_CLIENT_LIMIT = Limit("sign_in_client", "MAJLIS_LIMIT_SIGN_IN_CLIENT")
# How often a link is sent to one address: asked again sooner, nothing is sent
# and the answer says that a link was sent a moment ago and still works.
SIGN_IN_EMAIL_LIMIT = Limit("sign_in_email", "MAJLIS_LIMIT_SIGN_IN_EMAIL")


def _sent_a_moment_ago(seconds: int) -> str:
    return ngettext(
        "A sign-in link was asked for this address a moment ago. If the address "
        "is registered, the link is on its way or already in your inbox (look in "
        "the spam folder too), and it still works. It can be sent again in "
        "%(seconds)d second.",
        "A sign-in link was asked for this address a moment ago. If the address "
        "is registered, the link is on its way or already in your inbox (look in "
        "the spam folder too), and it still works. It can be sent again in "
        "%(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def magic_link_token(link: MagicLink) -> str:
    """The link's token, derived again from its salt with the secret key: the
    database alone holds no usable token."""
    digest = salted_hmac(
        "majlis.accounts.magic_link", link.token_salt, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def magic_link_request(*, event: Event, email: str, next_path: str = "") -> None:
    """Email a one-time sign-in link if ``email`` is registered; say nothing either way.

    The answer must not reveal who is registered, so an unknown address is
    silently ignored. A link is sent to one address at most as often as
    ``MAJLIS_LIMIT_SIGN_IN_EMAIL`` allows (once a minute), counted for every
    address asked for, registered or not; sooner raises ``TooManyRequests``,
    which says so. A delegate's latest link is sent again while it has at
    least half its life left, so that requests made by someone else only
    bring the delegate more copies of a link that works; a new link leaves
    the older ones valid until they expire.
    """
    address = email.strip()
    limiter().hit(
        SIGN_IN_EMAIL_LIMIT, f"{event.pk}:{address.lower()}", _sent_a_moment_ago
    )
    participant = Participant.objects.filter(event=event, email__iexact=address).first()
    if participant is None:
        return
    now = timezone.now()
    lifetime = timedelta(minutes=settings.MAJLIS_MAGIC_LINK_MINUTES)
    with transaction.atomic():
        # Under a lock on the delegate's row, so that two requests at once
        # send one link twice rather than make two.
        Participant.objects.select_for_update(no_key=True).filter(
            pk=participant.pk
        ).first()
        link = (
            MagicLink.objects.filter(
                participant=participant,
                used_at__isnull=True,
                expires_at__gt=now + lifetime / 2,
            )
            .exclude(token_salt="")
            .order_by("-expires_at")
            .first()
        )
        if link is None:
            link = MagicLink(
                participant=participant,
                token_salt=secrets.token_urlsafe(32),
                expires_at=now + lifetime,
            )
            link.token_hash = hash_secret(magic_link_token(link))
            link.save()
        outbox_enqueue(
            kind="magic_link",
            to_email=participant.email,
            language=participant.language,
            payload={
                "participant": participant.pk,
                "token": magic_link_token(link),
                "next": next_path,
                "minutes": int((link.expires_at - now).total_seconds() // 60),
            },
        )


def magic_link_consume(*, event: Event, raw_token: str) -> Participant | None:
    """Spend a sign-in link: the delegate it was sent to, or ``None`` if it is
    unknown, used or expired. A link works once, even under two concurrent clicks."""
    now = timezone.now()
    with transaction.atomic():
        link = (
            MagicLink.objects.select_for_update(of=("self",))
            .select_related("participant")
            .filter(token_hash=hash_secret(raw_token), participant__event=event)
            .first()
        )
        if link is None or link.used_at is not None or link.expires_at <= now:
            return None
        link.used_at = now
        link.save(update_fields=["used_at"])
        return link.participant
