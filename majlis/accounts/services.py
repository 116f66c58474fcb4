"""Changes to delegates and to the credentials that prove who is calling."""

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from majlis.core.ratelimit import Limit, limiter
from majlis.events.models import Event
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import outbox_enqueue, outbox_enqueue_many


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
    naming each bad field. A gender left out of ``data`` keeps the stored
    one (it is optional, and an integration may not know it).
    """
    form = ParticipantForm(data)
    if not form.is_valid():
        raise InvalidInput(
            _form_errors(form), extra={"fields": form.errors.get_json_data()}
        )
    values = form.cleaned_data
    email = values.pop("email")
    if "gender" not in data:
        values.pop("gender")
    values["constituency"] = values["constituency"] or Constituency.OTHER
    values["language"] = values["language"] or Language.EN
    return _written_despite_a_race(lambda: _participant_write(event, email, values))


def _written_despite_a_race[T](write: Callable[[], T]) -> T:
    """``write``, made again when it lost a race: two requests registered the
    same new address at once (``IntegrityError``), and the loser, run again,
    finds the winner's row and updates it. Three attempts at the most."""
    for _attempt in range(2):
        try:
            return write()
        except IntegrityError:
            continue
    return write()


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
            "gender": locked.gender,
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


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows imported, delegates it registered (the others
    were updated or unchanged), and welcome emails it queued."""

    imported: int
    created: int
    welcomed: int


IMPORT_COLUMNS = (
    "email",
    "name",
    "organisation",
    "constituency",
    "country",
    "language",
    "gender",
)


def participant_import_rows(
    *, event: Event, rows: list[tuple[int, dict[str, str]]], welcome: bool = False
) -> ImportResult:
    """Import delegates all at once or not at all.

    ``rows`` pairs each row with its line number in the file. Every bad row is
    reported (``ImportRejected``) and then nothing is written. The rows are
    written in bulk, in one transaction: the delegates already registered
    are read (and locked) a thousand addresses at a time, the new ones
    created in batches, and only those whose details changed are updated
    (one by one, 3,000 rows took 14 s on PostgreSQL; docs/RELIABILITY.md).
    An address registered meanwhile by another request makes the import
    start again once, as ``participant_upsert`` does.

    With ``welcome``, each delegate the import registers (not one already
    registered) gets a welcome email with a sign-in link, queued in the same
    transaction (``participants_welcome``).
    """
    people, errors = _import_clean(rows)
    if errors:
        raise ImportRejected(errors)
    return _written_despite_a_race(lambda: _import_write(event, people, welcome))


def _import_write(
    event: Event, people: list[dict[str, Any]], welcome: bool
) -> ImportResult:
    fields = ["name", "organisation", "constituency", "country", "language", "gender"]
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
            given = [name for name in fields if name in values]
            if any(getattr(participant, name) != values[name] for name in given):
                # One statement a row: bulk_update's CASE per row and field
                # cost Python four times as much, and a delegate who has not
                # changed costs nothing.
                Participant.objects.filter(pk=participant.pk).update(
                    **{name: values[name] for name in given}, updated_at=now
                )
        Participant.objects.bulk_create(new, batch_size=500)
        welcomed = participants_welcome(participants=new) if welcome else 0
    return ImportResult(imported=len(people), created=len(new), welcomed=welcomed)


def participants_welcome(*, participants: list[Participant]) -> int:
    """Queue a welcome email for each of these delegates, in their language,
    with a sign-in link of their own that works once within
    ``MAJLIS_WELCOME_LINK_DAYS`` (a sign-in link asked for lasts minutes; a
    welcome may wait in an inbox for days). One message each, through the
    outbox; returns how many were queued. Call it inside the transaction that
    registers them."""
    now = timezone.now()
    lifetime = timedelta(days=settings.MAJLIS_WELCOME_LINK_DAYS)
    links = [
        _magic_link_new(participant, expires_at=now + lifetime)
        for participant in participants
    ]
    MagicLink.objects.bulk_create(links, batch_size=500)
    return outbox_enqueue_many(
        kind="welcome",
        messages=[
            (
                link.participant.email,
                link.participant.language,
                {
                    "participant": link.participant.pk,
                    "token": magic_link_token(link),
                    "days": settings.MAJLIS_WELCOME_LINK_DAYS,
                },
            )
            for link in links
            if link.participant is not None
        ],
    )


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
        values = form.cleaned_data
        if "gender" not in row:
            values.pop("gender")  # a file without the column keeps the stored one
        people.append(values)
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
        "%(count)d second.",
        "A sign-in link was asked for this address a moment ago. If the address "
        "is registered, the link is on its way or already in your inbox (look in "
        "the spam folder too), and it still works. It can be sent again in "
        "%(count)d seconds.",
        seconds,
    ) % {"count": seconds}


def magic_link_token(link: MagicLink) -> str:
    """The link's token, derived again from its salt with the secret key: the
    database alone holds no usable token."""
    digest = salted_hmac(
        "majlis.accounts.magic_link", link.token_salt, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _magic_link_new(participant: Participant, *, expires_at: datetime) -> MagicLink:
    """A new link, not yet saved: a random salt, and the hash of the token it
    derives."""
    link = MagicLink(
        participant=participant,
        token_salt=secrets.token_urlsafe(32),
        expires_at=expires_at,
    )
    link.token_hash = hash_secret(magic_link_token(link))
    return link


def magic_link_request(*, event: Event, email: str, next_path: str = "") -> None:
    """Email a one-time sign-in link if ``email`` is registered; say nothing either way.

    A link goes to one address at most as often as ``MAJLIS_LIMIT_SIGN_IN_EMAIL``
    allows (once a minute), counted for every address asked for, registered
    or not; sooner raises ``TooManyRequests``, which says so. A delegate's
    latest link is sent again while it has at least half its life left, so
    that requests made by someone else only bring the delegate more copies of
    a link that works; a new link leaves the older ones valid until they
    expire.

    The answer must not reveal who is registered, neither by its words nor by
    its time: for a delegate's address or an unknown one the same statements
    run (a look-up, a lock, a look for a link to send again, a link row and
    an outbox row, in one transaction). An unknown address gets a link of no
    one and a message the worker never sends (``_decoy_link``,
    docs/SECURITY.md, "Sign-in timing"); a link sent again writes a link of no
    one too, in place of the new link it did not need.
    """
    address = email.strip()
    limiter().hit(
        SIGN_IN_EMAIL_LIMIT, f"{event.pk}:{address.lower()}", _sent_a_moment_ago
    )
    participant = Participant.objects.filter(
        event=event, email__iexact=address, erased_at__isnull=True
    ).first()
    now = timezone.now()
    lifetime = timedelta(minutes=settings.MAJLIS_MAGIC_LINK_MINUTES)
    with transaction.atomic():
        # Under a lock on the delegate's row, so that two requests at once
        # send one link twice rather than make two; for no one, the same
        # statement, which locks nothing.
        rows = Participant.objects.select_for_update(no_key=True)
        if participant is not None:
            rows.filter(pk=participant.pk).first()
        else:
            rows.filter(pk__isnull=True).first()
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
        if participant is None:
            _decoy_link()
            outbox_enqueue(
                kind="sign_in_decoy",
                to_email="",
                language="",
                payload={},
                status=OutboxStatus.DROPPED,
            )
            return
        if link is None:
            link = _magic_link_new(participant, expires_at=now + lifetime)
            link.save()
        else:
            _decoy_link()
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


def _decoy_link() -> None:
    """The write of a sign-in link, for no one: a link without a delegate and
    without a salt, expired as it is made, which can sign nobody in and is
    never sent again."""
    MagicLink.objects.create(
        participant=None,
        token_hash=hash_secret(secrets.token_urlsafe(32)),
        expires_at=timezone.now(),
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
    organisation, gender, check-in code, their sign-in links and tokens, the messages
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
        person.gender = ""
        # Never a real code: real ones have 8 letters and digits, no dash.
        person.checkin_code = f"erased-{person.pk}"
        person.erased_at = now
    Participant.objects.bulk_update(
        people,
        ["email", "name", "organisation", "gender", "checkin_code", "erased_at"],
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
    participants_erased.send(
        sender=Participant, event=event, participant_ids=ids, addresses=addresses
    )
    return len(people)
