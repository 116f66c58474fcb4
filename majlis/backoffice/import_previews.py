"""A checked file of delegates, kept on the server until the secretariat
confirms its import (not in the session, which every request reads and
writes). Nothing here imports: ``participant_import_rows`` does, on confirm."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from majlis.accounts.models import hash_secret
from majlis.backoffice.models import ImportPreview
from majlis.events.models import Event


def import_preview_store(
    *, user: User, event: Event, filename: str, content: bytes
) -> str:
    """Keep ``content`` for ``user`` to confirm, replacing their earlier
    preview of the event, and delete every expired preview. Returns the token
    that finds it again (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        import_preview_purge_expired()
        ImportPreview.objects.update_or_create(
            user=user,
            event=event,
            defaults={
                "token_hash": hash_secret(raw),
                "filename": filename,
                "content": content,
                "expires_at": now
                + timedelta(minutes=settings.MAJLIS_IMPORT_PREVIEW_MINUTES),
            },
        )
    return raw


def import_preview_purge_expired() -> int:
    """Delete the previews past their expiry (a file of personal data nobody
    confirmed); returns how many. The outbox workers run it every few
    minutes (``majlis.core.housekeeping``), besides each new preview."""
    deleted, _by_model = ImportPreview.objects.filter(
        expires_at__lte=timezone.now()
    ).delete()
    return deleted


def import_preview_take(
    *, user: User, event: Event, token: str
) -> tuple[str, bytes] | None:
    """The name and content of ``user``'s unexpired preview with ``token``,
    removed so that it is confirmed once; ``None`` for any other token, user,
    event, or an expired preview."""
    if not token:
        return None
    with transaction.atomic():
        preview = (
            ImportPreview.objects.select_for_update()
            .filter(
                token_hash=hash_secret(token),
                user=user,
                event=event,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if preview is None:
            return None
        preview.delete()
    return preview.filename, bytes(preview.content)
