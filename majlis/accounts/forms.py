"""How a registered delegate's fields are checked, wherever they come from
(the API, imports, the back office and the admin)."""

from django import forms
from django.utils.translation import gettext as _

from majlis.accounts.models import Constituency, Language


class ParticipantForm(forms.Form):
    """The fields of a registered delegate, shared by the API, imports and the admin."""

    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=200)
    organisation = forms.CharField(max_length=200, required=False)
    constituency = forms.ChoiceField(choices=Constituency.choices, required=False)
    country = forms.CharField(max_length=2, required=False)
    language = forms.ChoiceField(choices=Language.choices, required=False)

    def clean_country(self) -> str:
        from django_countries import countries

        code = self.cleaned_data["country"].strip().upper()
        if code and code not in countries:
            raise forms.ValidationError(
                _("%(code)s is not an ISO 3166-1 alpha-2 country code, such as MA.")
                % {"code": code}
            )
        return code
