"""Who is calling the API: a delegate's token or an integration's key."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from majlis.accounts.models import ApiKey, Participant, ParticipantToken, hash_secret
from majlis.accounts.selectors import participant_token_valid
from majlis.core.exceptions import NotFound, PermissionDenied, Unauthenticated
from majlis.events.models import Event


@dataclass(frozen=True)
class Caller:
    participant: Participant | None = None
    api_key: ApiKey | None = None
    # The token a delegate called with, which signing out revokes.
    participant_token: ParticipantToken | None = None

    @property
    def principal(self) -> str:
        if self.participant is not None:
            return f"participant:{self.participant.pk}"
        if self.api_key is not None:
            return f"apikey:{self.api_key.pk}"
        raise Unauthenticated()

    def require_event(self, event: Event) -> None:
        """An integration may act only on its own event; others are not found."""
        if self.api_key is None or not self.api_key.may_act_on(event):
            raise NotFound()

    def require_participant(self) -> Participant:
        if self.participant is None:
            raise Unauthenticated()
        return self.participant


def _participant_token(token: str) -> ParticipantToken | None:
    """The valid token, from this process's memory for at most
    ``MAJLIS_TOKEN_CACHE_SECONDS`` (a revoked token may so work that much
    longer; an expired one never does), else from the database."""
    key_hash = hash_secret(token)
    remember_for = settings.MAJLIS_TOKEN_CACHE_SECONDS
    now = timezone.now()
    found = caches["tokens"].get(f"token:{key_hash}") if remember_for else None
    if found is None:
        found = participant_token_valid(key_hash=key_hash, now=now)
        if found is not None and remember_for:
            caches["tokens"].set(f"token:{key_hash}", found, remember_for)
    if found is None or found.expires_at <= now:
        return None
    return found


def forget_token(token: ParticipantToken) -> None:
    """Drop a token from this process's memory (other processes forget it
    within ``MAJLIS_TOKEN_CACHE_SECONDS``)."""
    caches["tokens"].delete(f"token:{token.key_hash}")


def caller_from_token(token: str) -> Caller | None:
    if token.startswith(ParticipantToken.PREFIX):
        found = _participant_token(token)
        if found is None:
            return None
        return Caller(participant=found.participant, participant_token=found)
    if token.startswith(ApiKey.PREFIX):
        key = ApiKey.objects.filter(
            key_hash=hash_secret(token), revoked_at__isnull=True
        ).first()
        return Caller(api_key=key) if key else None
    return None


class BearerAuth(HttpBearer):
    """Accepts the kinds of caller an endpoint allows; any other is refused with
    the API's error shape (401 without a valid token, 403 with the wrong kind)."""

    def __init__(self, *, participants: bool, api_keys: bool) -> None:
        super().__init__()
        self.participants = participants
        self.api_keys = api_keys

    def __call__(self, request: HttpRequest) -> Caller:
        caller = super().__call__(request)
        if caller is None:
            raise Unauthenticated()
        return caller

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        caller = caller_from_token(token.strip())
        if caller is None:
            raise Unauthenticated()
        if caller.participant is not None and not self.participants:
            raise PermissionDenied(_("This needs an integration's API key."))
        if caller.api_key is not None and not self.api_keys:
            raise PermissionDenied(_("This needs a delegate's token."))
        return caller


participant_auth = BearerAuth(participants=True, api_keys=False)
api_key_auth = BearerAuth(participants=False, api_keys=True)
any_auth = BearerAuth(participants=True, api_keys=True)
