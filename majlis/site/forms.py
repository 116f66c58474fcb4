from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from majlis.bookings.models import AccessNeed


class AccessNeedsForm(forms.Form):
    """What a delegate needs to take part, stated when booking or later."""

    access_needs = forms.MultipleChoiceField(
        label=_("Access needs (optional)"),
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    access_needs_note = forms.CharField(
        label=_("Anything the organisers should know (optional)"),
        max_length=500,
        required=False,
    )


CHOICE_LABELS = (_("First choice"), _("Second choice"), _("Third choice"))


class TopicChoicesForm(forms.Form):
    """A delegate's topics for a session's working groups, in order of
    preference (optional): up to three, among the session's topics (table
    numbers from 1). A blank choice is skipped, so the others move up."""

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [
            ("", _("No choice")),
            *((str(n), t) for n, t in enumerate(topics, 1)),
        ]
        for number, label in enumerate(CHOICE_LABELS[: len(topics)], start=1):
            self.fields[f"choice_{number}"] = forms.TypedChoiceField(
                label=label,
                choices=options,
                coerce=int,
                empty_value=None,
                required=False,
            )

    @classmethod
    def showing(cls, chosen: list[int], *, topics: list[str]) -> "TopicChoicesForm":
        """The form with the delegate's current choices selected."""
        return cls(
            topics=topics,
            initial={f"choice_{n}": table for n, table in enumerate(chosen, start=1)},
        )

    def choices(self) -> list[int]:
        """The tables chosen, first choice first."""
        return [
            table
            for name in self.fields
            if (table := self.cleaned_data.get(name)) is not None
        ]
