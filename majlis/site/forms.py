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
