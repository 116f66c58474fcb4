"""The form that edits a session (admin and back office) and how its changes
are saved: capacity and times through the booking services."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.bookings.selectors import delegates_double_booked_by_move
from majlis.bookings.services import Actor, session_move, session_set_capacity
from majlis.core.exceptions import MajlisError
from majlis.events.models import Event, Session, SpokenLanguage


class SessionForm(forms.ModelForm):
    """Says at once, on the form, what the booking services would refuse."""

    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    interpretation = forms.MultipleChoiceField(
        label=_("Interpretation into"),
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Session
        fields = "__all__"  # noqa: DJ007 - the admin edits every field of a session

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        session = self.instance
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("A session must end after it starts."))
        if session.pk is None:
            return data
        capacity = data.get("capacity")
        if capacity is not None and capacity < session.seats_taken:
            self.add_error(
                "capacity",
                ngettext(
                    "The capacity cannot be lower than the %(count)d confirmed booking; "
                    "cancel bookings first.",
                    "The capacity cannot be lower than the %(count)d confirmed bookings; "
                    "cancel bookings first.",
                    session.seats_taken,
                )
                % {"count": session.seats_taken},
            )
        if (
            starts_at
            and ends_at
            and (starts_at, ends_at) != (session.starts_at, session.ends_at)
        ):
            moved = Session(pk=session.pk, event_id=session.event_id)
            moved.starts_at, moved.ends_at = starts_at, ends_at
            others = [
                other
                for other in Session.objects.filter(event_id=session.event_id)
                if moved.overlaps(other)
            ]
            count = delegates_double_booked_by_move(session=session, others=others)
            if count:
                self.add_error(
                    "starts_at",
                    ngettext(
                        "%(count)d delegate booked here holds a seat in another session "
                        "at the new time.",
                        "%(count)d delegates booked here hold a seat in another session "
                        "at the new time.",
                        count,
                    )
                    % {"count": count},
                )
        return data


class SessionEditForm(SessionForm):
    """The back office's edit of a session: times typed in the event's zone."""

    class Meta:
        model = Session
        fields = [
            *(f"title_{code}" for code in ("en", "fr", "es", "ar")),
            *(f"description_{code}" for code in ("en", "fr", "es", "ar")),
            *(f"room_{code}" for code in ("en", "fr", "es", "ar")),
            "format",
            "languages",
            "interpretation",
            "starts_at",
            "ends_at",
            "capacity",
            "has_waitlist",
            "no_show_release_minutes",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }


def session_save_changes(*, form: forms.ModelForm, actor: Actor) -> MajlisError | None:
    """Save a valid form of an existing session. Plain fields are saved as they
    are; times go through ``session_move`` and capacity through
    ``session_set_capacity``, which promote from the waiting list and refuse
    what would break a rule (returned, for the page to say)."""
    session: Session = form.instance
    service_fields = {"capacity", "starts_at", "ends_at"}
    plain = [name for name in form.changed_data if name not in service_fields]
    if plain:
        session.save(update_fields=plain)
    try:
        if {"starts_at", "ends_at"} & set(form.changed_data):
            session_move(
                session=session,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                actor=actor,
            )
        if "capacity" in form.changed_data:
            session_set_capacity(
                session=session, capacity=session.capacity, actor=actor
            )
    except MajlisError as error:
        return error
    return None


class EventEditForm(forms.ModelForm):
    """The event's names, venue and booking window, typed in its time zone."""

    class Meta:
        model = Event
        fields = [
            "name_en",
            "name_fr",
            "name_es",
            "name_ar",
            "venue",
            "main_language",
            "booking_opens_at",
            "booking_closes_at",
        ]
        widgets = {
            name: forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
            for name in ("booking_opens_at", "booking_closes_at")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("booking_opens_at"), data.get("booking_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("booking_closes_at", _("Booking must close after it opens."))
        return data
