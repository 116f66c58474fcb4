"""How a registered delegate's fields are checked, wherever they come from
(the API, imports, the back office and the admin)."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from majlis.accounts.models import Constituency, Gender, Language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class CodeField(forms.ChoiceField):
    """A choice among codes, read whatever its case; a value that is not one
    is refused with every code accepted, so that whoever wrote it (a row of a
    file, an integration) can correct it without a manual."""

    def __init__(
        self, *, choices: list[tuple[str, Any]], refusal: "_StrPromise", **kwargs: Any
    ) -> None:
        super().__init__(choices=choices, **kwargs)
        self.codes = ", ".join(code for code, _label in choices if code)
        self.refusal = refusal

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().lower()

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise forms.ValidationError(
                self.refusal,
                code="invalid_choice",
                params={"value": value, "codes": self.codes},
            )
        super().validate(value)


class ParticipantForm(forms.Form):
    """The fields of a registered delegate, shared by the API, imports and the admin."""

    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=200)
    organisation = forms.CharField(max_length=200, required=False)
    constituency = CodeField(
        choices=Constituency.choices,
        required=False,
        refusal=gettext_lazy(
            "“%(value)s” is not a constituency code. Use one of: %(codes)s "
            "(empty means other)."
        ),
    )
    country = forms.CharField(max_length=2, required=False)
    language = CodeField(
        choices=Language.choices,
        required=False,
        refusal=gettext_lazy(
            "“%(value)s” is not a language code. Use one of: %(codes)s "
            "(empty means en)."
        ),
    )
    gender = CodeField(
        label=gettext_lazy("Gender (optional, used only to mix groups)"),
        choices=Gender.choices,
        required=False,
        refusal=gettext_lazy(
            "“%(value)s” is not a gender code. Use one of: %(codes)s "
            "(empty means not given)."
        ),
    )

    def clean_country(self) -> str:
        from django_countries import countries

        code = self.cleaned_data["country"].strip().upper()
        if code and code not in countries:
            raise forms.ValidationError(
                _("%(code)s is not an ISO 3166-1 alpha-2 country code, such as MA.")
                % {"code": code}
            )
        return code
