"""The back office's forms (and the admin's session form). They check what a
user typed and say at once what the services would refuse; the services
decide."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from majlis.accounts.forms import ParticipantForm
from majlis.accounts.importing import ImportTooLarge, import_size_check
from majlis.accounts.models import Constituency, Language
from majlis.backoffice.models import SessionMessage, StaffRole
from majlis.backoffice.selectors import staff_role_for_address
from majlis.backoffice.services import (
    NEEDS_A_SESSION,
    SUBJECT_ON_ONE_LINE,
    subject_has_line_break,
)
from majlis.bookings.models import BookingStatus
from majlis.bookings.selectors import delegates_double_booked_by_move
from majlis.core.translation import isolating
from majlis.events.models import Event, Session, SpokenLanguage

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

TITLE_ON_ONE_LINE = gettext_lazy(
    "A title must fit on one line, as it heads emails: remove its line breaks."
)
NAME_ON_ONE_LINE = gettext_lazy(
    "A name must fit on one line, as it heads emails: remove its line breaks."
)


def refuse_line_breaks(
    form: forms.BaseForm, prefix: str, message: "_StrPromise"
) -> None:
    """Add ``message`` to every field named ``prefix_<language>`` whose text
    holds a line break (it becomes part of an email's subject)."""
    for name, value in list(form.cleaned_data.items()):
        if (
            name.startswith(prefix)
            and isinstance(value, str)
            and subject_has_line_break(value)
        ):
            form.add_error(name, forms.ValidationError(message, code="line_break"))


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
        refuse_line_breaks(self, "title_", TITLE_ON_ONE_LINE)
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


class EventEditForm(forms.ModelForm):
    """The event's names, venue and booking window, typed in its time zone."""

    class Meta:
        model = Event
        fields = [
            "name_en",
            "name_fr",
            "name_es",
            "name_ar",
            "venue_en",
            "venue_fr",
            "venue_es",
            "venue_ar",
            "contact_email",
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
        refuse_line_breaks(self, "name_", NAME_ON_ONE_LINE)
        opens, closes = data.get("booking_opens_at"), data.get("booking_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("booking_closes_at", _("Booking must close after it opens."))
        return data


class RosterFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (BookingStatus.CONFIRMED, BookingStatus.CONFIRMED.label),
            (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED.label),
        ],
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    constituency = forms.ChoiceField(
        label=gettext_lazy("Constituency"),
        required=False,
        choices=[("", gettext_lazy("All")), *Constituency.choices],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("booked", gettext_lazy("Order of booking")),
            ("name", gettext_lazy("Name")),
            ("organisation", gettext_lazy("Organisation")),
            ("checked_in", gettext_lazy("Check-in")),
        ],
    )


class SessionMessageForm(forms.Form):
    """A message to a session's delegates: the main text, optional versions
    in each language (``subject_<code>``, ``body_<code>``), and where replies
    go, among the author's address and the event's."""

    audience = forms.ChoiceField(
        label=gettext_lazy("To"),
        choices=SessionMessage.Audience.choices,
        widget=forms.RadioSelect,
        initial=SessionMessage.Audience.CONFIRMED,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 8})
    )
    reply_to = forms.ChoiceField(
        label=gettext_lazy("Replies go to"), widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args: Any, author: User, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("No reply-to address"))]
        if author.email:
            choices.insert(
                0,
                (author.email, isolating(_("You: %(email)s"), {"email": author.email})),
            )
        if event.contact_email:
            choices.insert(
                1 if author.email else 0,
                (
                    event.contact_email,
                    isolating(
                        _("The event: %(email)s"), {"email": event.contact_email}
                    ),
                ),
            )
        reply_to = self.fields["reply_to"]
        assert isinstance(reply_to, forms.ChoiceField)  # noqa: S101 - declared above
        reply_to.choices = choices
        reply_to.initial = choices[0][0]
        for code, _name in settings.LANGUAGES:
            language = Language(code).label
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject in %(language)s") % {"language": language},
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message in %(language)s") % {"language": language},
                widget=forms.Textarea(attrs={"rows": 5, "lang": code, "dir": "auto"}),
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in [
            "subject",
            *(f"subject_{code}" for code, _n in settings.LANGUAGES),
        ]:
            value = data.get(name)
            if isinstance(value, str) and subject_has_line_break(value):
                self.add_error(
                    name, forms.ValidationError(SUBJECT_ON_ONE_LINE, code="line_break")
                )
        return data

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("audience", "subject", "body", "reply_to")]

    def version_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Each language's name, subject and body fields."""
        return [
            (str(Language(code).label), self[f"subject_{code}"], self[f"body_{code}"])
            for code, _name in settings.LANGUAGES
        ]

    def versions(self) -> dict[str, dict[str, str]]:
        return {
            code: {
                "subject": self.cleaned_data.get(f"subject_{code}", ""),
                "body": self.cleaned_data.get(f"body_{code}", ""),
            }
            for code, _name in settings.LANGUAGES
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("A CSV or Excel (.xlsx) file of registered delegates"),
        help_text=gettext_lazy(
            "Columns: email, name, organisation, constituency, country, language, "
            "gender. "
            "The first row names the columns."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            import_size_check(upload.size or 0)
        except ImportTooLarge as error:
            raise forms.ValidationError(str(error.message), code="too_large") from error
        return upload


class DelegateEditForm(ParticipantForm):
    """A delegate's details; the email is who they are, so it stays."""

    email = None  # type: ignore[assignment]


class SessionsField(forms.ModelMultipleChoiceField):
    """The event's sessions as checkboxes, named in the page's language."""

    def label_from_instance(self, obj: Session) -> str:
        # Isolated: an English title must not reorder an Arabic page.
        return format_html("<bdi>{}</bdi>", obj.title)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=StaffRole.Role.choices,
        widget=forms.RadioSelect,
    )
    sessions = SessionsField(
        label=gettext_lazy("Sessions (for organisers and door staff)"),
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, event: Event, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.event = event
        sessions = self.fields["sessions"]
        if isinstance(sessions, forms.ModelMultipleChoiceField):
            sessions.queryset = (
                Session.objects.filter(event=event)
                .select_related("event")
                .order_by("starts_at", "code")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role and role != StaffRole.Role.SECRETARIAT and not data.get("sessions"):
            self.add_error("sessions", NEEDS_A_SESSION)
        return data


def _role_and_sessions(role: str, sessions: Iterable[Session]) -> tuple[str, list[str]]:
    """A role's name and the sessions it works at, as the staff page shows them."""
    if role not in StaffRole.Role.values:
        return "", []
    if role == StaffRole.Role.SECRETARIAT:
        return str(StaffRole.Role(role).label), [_("Every session")]
    titles = [session.title for session in sessions]
    return str(StaffRole.Role(role).label), titles or [_("No session")]


class StaffInviteForm(StaffRoleForm):
    """An invitation; to an address that has a role here already, it is
    accepted only once ``replace`` confirms that the new role replaces it."""

    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=StaffRole.Role.choices)
    replace = forms.BooleanField(
        label=gettext_lazy("Replace their current role with this one"),
        required=False,
        widget=forms.HiddenInput,
    )
    field_order = ["email", "role", "sessions", "replace"]

    def __init__(self, *args: object, event: Event, **kwargs: object) -> None:
        super().__init__(*args, event=event, **kwargs)
        self.current_role: StaffRole | None = None
        # (heading, role, session titles) of the current role and the new one.
        self.roles_compared: list[tuple[str, str, list[str]]] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email = data.get("email")
        self.current_role = (
            staff_role_for_address(event=self.event, email=email) if email else None
        )
        if self.current_role is not None:
            current = self.current_role
            role = data.get("role")
            self.roles_compared = [
                (
                    _("Current role"),
                    *_role_and_sessions(current.role, current.sessions.all()),
                ),
                (
                    _("New role"),
                    *_role_and_sessions(role or "", data.get("sessions", [])),
                ),
            ]
            # Shown, now that there is something to confirm.
            self.fields["replace"].widget = forms.CheckboxInput()
            if not data.get("replace"):
                self.add_error(
                    "replace",
                    isolating(
                        _(
                            '%(email)s has the role "%(role)s" here already: tick '
                            "this box to replace it with the role below."
                        ),
                        {
                            "email": self.current_role.user.email,
                            "role": conditional_escape(
                                self.current_role.get_role_display()
                            ),
                        },
                    ),
                )
        return data
