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
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.accounts.forms import ParticipantForm
from majlis.accounts.models import (
    ApiKey,
    CalendarFeed,
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
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import outbox_enqueue


def _form_errors(form: forms.Form) -> str:
    parts = []
    for field_name, errors in form.errors.items():
        # The model's name for the field, translated, as people call it.
        label = (
            str(
                getattr(
                    Participant._meta.get_field(field_name), "verbose_name", field_name
                )
            )
            if field_name != "__all__"
            else ""
        )
        for error in errors:
            parts.append(
                _("“%(field)s”: %(error)s") % {"field": label, "error": error}
                if label
                else str(error)
            )
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


def participant_update(
    *, participant: Participant, changes: dict[str, Any]
) -> Participant:
    """Change some fields of a registered delegate; the others keep their value,
    as they are when the row is locked (a concurrent change of another field
    is kept). Raises ``InvalidInput`` naming each bad field."""
    with transaction.atomic():
        locked = Participant.objects.select_for_update(no_key=True).get(
            pk=participant.pk
        )
        current = {
            "email": locked.email,
            "name": locked.name,
            "organisation": locked.organisation,
            "constituency": locked.constituency,
            "country": str(locked.country or ""),
            "language": locked.language,
        }
        form = ParticipantForm({**current, **changes, "email": locked.email})
        if not form.is_valid():
            raise InvalidInput(
                _form_errors(form), extra={"fields": form.errors.get_json_data()}
            )
        for name in changes.keys() & current.keys() - {"email"}:
            setattr(locked, name, form.cleaned_data[name])
        locked.save()
        return locked


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
    reported (``ImportRejected``) and then nothing is written. The rows are
    written in bulk, in one transaction: the delegates already registered
    are read (and locked) a thousand addresses at a time, the new ones
    created in batches, and only those whose details changed are updated
    (one by one, 3,000 rows took 14 s on PostgreSQL; docs/RELIABILITY.md).
    An address registered meanwhile by another request makes the import
    start again once, as ``participant_upsert`` does.
    """
    people, errors = _import_clean(rows)
    if errors:
        raise ImportRejected(errors)
    for _attempt in range(2):
        try:
            return _import_write(event, people)
        except IntegrityError:
            continue
    return _import_write(event, people)


def _import_write(event: Event, people: list[dict[str, Any]]) -> int:
    fields = ["name", "organisation", "constituency", "country", "language"]
    now = timezone.now()
    with transaction.atomic():
        registered: dict[str, Participant] = {}
        addresses = [values["email"].lower() for values in people]
        for start in range(0, len(addresses), 1000):
            for found in (
                Participant.objects.select_for_update(no_key=True)
                .annotate(address=Lower("email"))
                .filter(event=event, address__in=addresses[start : start + 1000])
                .order_by()
            ):
                registered[found.address] = found
        new: list[Participant] = []
        for values in people:
            values = {
                **values,
                "constituency": values["constituency"] or Constituency.OTHER,
                "language": values["language"] or Language.EN,
            }
            participant = registered.get(values["email"].lower())
            if participant is None:
                new.append(Participant(event=event, **values))
                continue
            if any(getattr(participant, name) != values[name] for name in fields):
                # One statement a row: bulk_update's CASE per row and field
                # cost Python four times as much, and a delegate who has not
                # changed costs nothing.
                Participant.objects.filter(pk=participant.pk).update(
                    **{name: values[name] for name in fields}, updated_at=now
                )
        Participant.objects.bulk_create(new, batch_size=500)
    return len(people)


def participant_import_check(
    *, rows: list[tuple[int, dict[str, str]]]
) -> list[ImportRowError]:
    """Every problem of every row (a bad field, an address twice), writing nothing."""
    return _import_clean(rows)[1]


def _import_clean(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[dict[str, Any]], list[ImportRowError]]:
    """The rows' cleaned values, and every problem of every row."""
    people: list[dict[str, Any]] = []
    errors: list[ImportRowError] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        form = ParticipantForm(row)
        if not form.is_valid():
            errors.append(ImportRowError(line, _form_errors(form)))
            continue
        people.append(form.cleaned_data)
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
    return people, errors


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


def calendar_feed_issue(*, participant: Participant) -> str:
    """Give a delegate a new calendar subscription token, returned once and
    never stored; the address they had stops working in the same transaction."""
    raw = CalendarFeed.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(participant=participant).delete()
        CalendarFeed.objects.create(
            participant=participant, token_hash=hash_secret(raw)
        )
    return raw


def calendar_feed_revoke(*, participant: Participant) -> None:
    """End a delegate's calendar subscription; with none, nothing changes."""
    CalendarFeed.objects.filter(participant=participant).delete()


def api_key_create(*, name: str, event: Event | None) -> str:
    """Create an integration key for one event (``None``: every event, for the
    secretariat's own tools); the raw key is returned once, never stored."""
    raw = ApiKey.PREFIX + secrets.token_urlsafe(32)
    ApiKey.objects.create(name=name, event=event, key_hash=hash_secret(raw))
    return raw


def magic_link_request(*, event: Event, email: str, next_path: str = "") -> None:
    """Email a one-time sign-in link if ``email`` is registered; say nothing either way.

    The answer must not reveal who is registered, neither by its words nor by
    its time: whether the address is a delegate's, unknown, or over its limit
    of links, the same statements run (a look-up, a lock, a count, a link row
    and an outbox row, in one transaction). Only a delegate under the limit
    gets a real link and a message to send; otherwise ``_sign_in_decoy``
    writes a link of no one and a message the worker never sends
    (docs/SECURITY.md, "Sign-in timing").
    """
    address = email.strip()
    participant = Participant.objects.filter(
        event=event, email__iexact=address, erased_at__isnull=True
    ).first()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Nobody can flood a delegate's mailbox through this form: a few links
        # per window, counted under a lock on the delegate's row, so the limit
        # holds across concurrent requests and processes.
        if participant is not None:
            Participant.objects.select_for_update(no_key=True).filter(
                pk=participant.pk
            ).first()
            window = timedelta(minutes=settings.MAJLIS_MAGIC_LINK_WINDOW_MINUTES)
            recent = MagicLink.objects.filter(
                participant=participant, created_at__gte=timezone.now() - window
            ).count()
        else:
            # The same statements for no one: no row to lock, no link to count.
            Participant.objects.select_for_update(no_key=True).filter(
                pk__isnull=True
            ).first()
            recent = MagicLink.objects.filter(token_hash=hash_secret(raw)).count()
        if participant is None or recent >= settings.MAJLIS_MAGIC_LINKS_PER_WINDOW:
            _sign_in_decoy()
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


def _sign_in_decoy() -> None:
    """The writes of a sign-in link, for no one: a link without a delegate,
    expired as it is made (it can sign nobody in), and a message written as
    dropped, without an address (the worker never sends it, and an address
    nobody registered is not kept)."""
    MagicLink.objects.create(
        participant=None,
        token_hash=hash_secret(secrets.token_urlsafe(32)),
        expires_at=timezone.now(),
    )
    outbox_enqueue(
        kind="sign_in_decoy",
        to_email="",
        language="",
        payload={},
        status=OutboxStatus.DROPPED,
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
    CalendarFeed.objects.filter(participant_id__in=ids).delete()
    OutboxMessage.objects.filter(payload__participant__in=ids).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=Concat(Value("erased-"), "object_id"))
    participants_erased.send(sender=Participant, event=event, addresses=addresses)
    return len(people)
