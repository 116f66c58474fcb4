"""Changes to delegates and to the credentials that prove who is calling."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

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
from majlis.accounts.signals import participants_erased
from majlis.core.exceptions import InvalidInput
from majlis.events.models import Event
from majlis.outbox.models import OutboxMessage
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


def magic_link_request(*, event: Event, email: str, next_path: str = "") -> None:
    """Email a one-time sign-in link if ``email`` is registered; say nothing either way.

    The answer must not reveal who is registered, so an unknown address is
    silently ignored.
    """
    participant = Participant.objects.filter(
        event=event, email__iexact=email.strip(), erased_at__isnull=True
    ).first()
    if participant is None:
        return
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Nobody can flood a delegate's mailbox through this form: a few links
        # per window, counted under a lock on the delegate's row, so the limit
        # holds across concurrent requests and processes.
        Participant.objects.select_for_update(no_key=True).filter(
            pk=participant.pk
        ).first()
        window = timedelta(minutes=settings.MAJLIS_MAGIC_LINK_WINDOW_MINUTES)
        recent = MagicLink.objects.filter(
            participant=participant, created_at__gte=timezone.now() - window
        )
        if recent.count() >= settings.MAJLIS_MAGIC_LINKS_PER_WINDOW:
            return
        MagicLink.objects.create(
            participant=participant,
            token_hash=hash_secret(raw),
            expires_at=timezone.now()
            + timedelta(minutes=settings.MAJLIS_MAGIC_LINK_MINUTES),
        )
        outbox_enqueue(
            kind="magic_link",
            to_email=participant.email,
            language=participant.language,
            payload={"participant": participant.pk, "token": raw, "next": next_path},
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


ERASED_DOMAIN = "erased.invalid"


def _anonymous_address(participant_id: int) -> str:
    # A reserved domain (RFC 2606): nothing is ever delivered there.
    return f"erased-{participant_id}@{ERASED_DOMAIN}"


@transaction.atomic
def participants_erase(*, event: Event, participant_ids: list[int]) -> int:
    """Erase the personal data of these delegates of ``event``: email, name,
    organisation, check-in code, their sign-in links and tokens, the messages
    the outbox holds for them as delegates, and their names in the admin's
    log; returns how many were erased.

    The rows stay, anonymous (``erased-ID@erased.invalid``), with what the
    statistics count: constituency, country (for the region), language. Their
    bookings and audit trail refer to them, and count seats, check-ins and
    mixes after the conference. Erasing an erased delegate changes nothing.
    """
    people = list(
        Participant.objects.select_for_update()
        .filter(event=event, pk__in=participant_ids, erased_at__isnull=True)
        .order_by("pk")
    )
    if not people:
        return 0
    now = timezone.now()
    addresses = {}
    for person in people:
        addresses[person.email.lower()] = _anonymous_address(person.pk)
        person.email = _anonymous_address(person.pk)
        person.name = ""
        person.organisation = ""
        # Never a real code: real ones have 8 letters and digits, no dash.
        person.checkin_code = f"erased-{person.pk}"
        person.erased_at = now
    Participant.objects.bulk_update(
        people, ["email", "name", "organisation", "checkin_code", "erased_at"]
    )
    ids = [person.pk for person in people]
    ParticipantToken.objects.filter(participant_id__in=ids).delete()
    MagicLink.objects.filter(participant_id__in=ids).delete()
    OutboxMessage.objects.filter(payload__participant__in=ids).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=Concat(Value("erased-"), "object_id"))
    participants_erased.send(sender=Participant, event=event, addresses=addresses)
    return len(people)
