"""What groups hold about a delegate: added to their data download, and their
topic choices erased with their personal data (registered in ``apps.py``)."""

from typing import Any

from majlis.accounts.models import Participant
from majlis.bookings.models import Booking
from majlis.events.models import Event
from majlis.groups.models import TopicPreference
from majlis.groups.selectors import published_seats_of_bookings
from majlis.groups.services import topic_preferences_erase


def topic_preferences_section(participant: Participant) -> list[dict[str, Any]]:
    """The delegate's topics in order of preference, session by session, as
    table numbers with the topics' names in the delegate's language."""
    found = []
    for preference in (
        TopicPreference.objects.filter(participant=participant)
        .select_related("session__event", "session__group_plan")
        .order_by("session__starts_at", "session_id")
    ):
        plan = getattr(preference.session, "group_plan", None)
        found.append(
            {
                "session": preference.session.code,
                "choices": [
                    {
                        "table": table,
                        "topic": plan.topic_name(table, participant.language)
                        if plan is not None
                        else "",
                    }
                    for table in preference.choices
                ],
                "updated_at": preference.updated_at.isoformat(),
            }
        )
    return found


def group_seats_section(participant: Participant) -> list[dict[str, Any]]:
    """The delegate's tables in the published arrangements of the sessions
    they hold a seat in, booking by booking."""
    bookings = dict(
        Booking.objects.filter(participant=participant).values_list(
            "pk", "session__code"
        )
    )
    seats = published_seats_of_bookings(list(bookings), participant.language)
    return [
        {
            "booking": booking_id,
            "session": bookings[booking_id],
            "round": seat.round,
            "table": seat.table,
            "topic": seat.topic,
            "host": seat.host,
        }
        for booking_id, booking_seats in sorted(seats.items())
        for seat in booking_seats
    ]


def erase_topic_preferences(
    *, event: Event, participant_ids: list[int], **_kwargs: Any
) -> None:
    """Receiver of ``participants_erased``."""
    topic_preferences_erase(participant_ids=participant_ids)
