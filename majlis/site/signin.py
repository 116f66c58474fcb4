"""Which delegate is signed in on this browser.

Delegates are not Django users (they never have a password); the web session
holds the id of the delegate who followed their sign-in link.
"""

from django.http import HttpRequest

from majlis.accounts.models import Participant
from majlis.events.models import Event

SESSION_KEY = "majlis_participant_id"


def participant_sign_in(request: HttpRequest, participant: Participant) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = participant.pk


def signed_in_participant(request: HttpRequest, event: Event) -> Participant | None:
    """The delegate signed in on this browser, if they belong to ``event``."""
    participant_id = request.session.get(SESSION_KEY)
    if participant_id is None:
        return None
    participant = Participant.objects.filter(
        pk=participant_id, event=event, erased_at__isnull=True
    ).first()
    if participant is not None:
        participant.event = event  # the caller's, rather than read again
    return participant


def participant_set_language(request: HttpRequest, language: str) -> None:
    """Save the language chosen on this browser as the signed-in delegate's preference."""
    participant_id = request.session.get(SESSION_KEY)
    if participant_id is not None:
        Participant.objects.filter(pk=participant_id).update(language=language)
