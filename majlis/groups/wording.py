"""A delegate's seat in words, in the active language: "Round 2: table 5".

One wording for every place that tells a delegate where they sit (their
sessions page, the session's page, the email), each a whole sentence per case
so that every language orders its own words.
"""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from majlis.accounts.models import Participant
from majlis.core.translation import isolate_text
from majlis.events.models import Session
from majlis.groups.selectors import Seat, seats_for_participant


def _sentence(seat: Seat, rounds: int) -> str:
    """The translated sentence of ``seat``, with its placeholders."""
    if rounds > 1:
        if seat.topic:
            if seat.host:
                return gettext("Round %(round)d: table %(table)d, %(topic)s (host)")
            return gettext("Round %(round)d: table %(table)d, %(topic)s")
        if seat.host:
            return gettext("Round %(round)d: table %(table)d (host)")
        return gettext("Round %(round)d: table %(table)d")
    if seat.topic:
        if seat.host:
            return gettext("Table %(table)d: %(topic)s (host)")
        return gettext("Table %(table)d: %(topic)s")
    if seat.host:
        return gettext("Table %(table)d (host)")
    return gettext("Table %(table)d")


def seat_text(seat: Seat, *, rounds: int) -> str:
    """The seat as plain text (an email), the topic isolated as ``seat_html``
    isolates it, with Unicode's isolates (``isolate_text``)."""
    return _sentence(seat, rounds) % {
        "round": seat.round,
        "table": seat.table,
        "topic": isolate_text(seat.topic),
    }


def seat_html(seat: Seat, *, rounds: int) -> SafeString:
    """The seat as HTML, the topic (an organiser's text, perhaps in another
    script) isolated in ``<bdi>`` so that it cannot turn the sentence around."""
    return mark_safe(  # noqa: S308 - the sentence is escaped, the topic too
        escape(_sentence(seat, rounds))
        % {
            "round": seat.round,
            "table": seat.table,
            "topic": format_html("<bdi>{}</bdi>", seat.topic),
        }
    )


def seat_lines(
    participant: Participant, *, session: Session | None = None
) -> dict[int, list[SafeString]]:
    """Session id -> the delegate's seat in each round, as HTML, for every
    published arrangement of a session they hold a seat in (or of
    ``session`` alone)."""
    return {
        entry.session.pk: [seat_html(seat, rounds=entry.rounds) for seat in entry.seats]
        for entry in seats_for_participant(participant, session=session)
    }
