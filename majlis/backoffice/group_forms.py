"""The forms of a session's Groups page. They check what was typed; the
services of ``majlis.groups`` decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from majlis.core.translation import LANGUAGE_CODES
from majlis.groups.models import GroupKind, GroupPlan, Whom
from majlis.groups.planner import MAX_ROUNDS
from majlis.groups.selectors import SeatedPerson
from majlis.groups.services import MOST_TABLES

TOPIC_LABELS = {
    "en": _("Topics in English, one a line (table 1 first)"),
    "fr": _("Topics in French, one a line"),
    "es": _("Topics in Spanish, one a line"),
    "ar": _("Topics in Arabic, one a line"),
}


def person_choices(people: list[SeatedPerson]) -> list[tuple[str, str]]:
    return [
        (str(person.booking_id), f"{person.name} ({person.organisation})")
        if person.organisation
        else (str(person.booking_id), person.name)
        for person in people
    ]


class TopicsForm(forms.Form):
    """Topic names per language, one a line; line N of each is table N."""

    # Required: a form without the version its page showed would replace
    # whatever someone else made meanwhile.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in LANGUAGE_CODES:
            self.fields[f"topics_{code}"] = forms.CharField(
                label=TOPIC_LABELS[code],
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            )

    def topics(self) -> list[dict[str, str]]:
        lines = {
            code: self.cleaned_data.get(f"topics_{code}", "").splitlines()
            for code in LANGUAGE_CODES
        }
        # Blank lines at the end of a box are not topics.
        for texts in lines.values():
            while texts and not texts[-1].strip():
                texts.pop()
        count = max(len(texts) for texts in lines.values())
        return [
            {
                code: texts[i].strip()
                for code, texts in lines.items()
                if i < len(texts) and texts[i].strip()
            }
            for i in range(count)
        ]

    @staticmethod
    def initial_of(plan: GroupPlan | None) -> dict[str, str]:
        topics = plan.topics if plan is not None else []
        return {
            f"topics_{code}": "\n".join(texts.get(code, "") for texts in topics)
            for code in LANGUAGE_CODES
        }


class GroupPlanForm(TopicsForm):
    kind = forms.ChoiceField(
        label=_("Kind of groups"),
        choices=GroupKind.choices,
        widget=forms.RadioSelect,
        initial=GroupKind.CAFE,
    )
    tables = forms.IntegerField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MOST_TABLES,
        required=False,
    )
    group_size = forms.IntegerField(
        label=_("or the largest group size"),
        min_value=2,
        max_value=MOST_TABLES,
        required=False,
        help_text=_(
            "Give one of the two; working groups with topics have a table per topic."
        ),
    )
    rounds = forms.IntegerField(
        label=_("Rounds"), min_value=1, max_value=MAX_ROUNDS, initial=1
    )
    whom = forms.ChoiceField(
        label=_("People to place"),
        choices=Whom.choices,
        widget=forms.RadioSelect,
        initial=Whom.CONFIRMED,
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 2,
        initial=0,
        help_text=_(
            "The same seed gives the same arrangement; another seed, another as good."
        ),
    )

    def __init__(
        self, *args: Any, people: list[SeatedPerson], host_rows: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The fields in the order of the page: the topics after the kind.
        self.order_fields(
            ["kind", "tables", "group_size", "rounds", "whom", "seed", "version"]
        )
        choices = [("", _("(nobody)")), *person_choices(people)]
        self.host_rows = host_rows
        for row in range(1, host_rows + 1):
            self.fields[f"host_{row}"] = forms.ChoiceField(
                label=_("Host %(number)d") % {"number": row},
                choices=choices,
                required=False,
            )
            self.fields[f"host_table_{row}"] = forms.IntegerField(
                label=_("Table of host %(number)d") % {"number": row},
                min_value=1,
                max_value=MOST_TABLES,
                required=False,
            )

    def host_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"host_{row}"], self[f"host_table_{row}"])
            for row in range(1, self.host_rows + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: set[str] = set()
        for row in range(1, self.host_rows + 1):
            person, table = data.get(f"host_{row}"), data.get(f"host_table_{row}")
            if person and table is None:
                self.add_error(f"host_table_{row}", _("Give the table of this host."))
            if table is not None and not person:
                self.add_error(f"host_{row}", _("Choose who hosts this table."))
            if person and person in seen:
                self.add_error(f"host_{row}", _("This person is already a host."))
            if person:
                seen.add(person)
        return data

    def hosts(self) -> dict[int, int]:
        return {
            int(self.cleaned_data[f"host_{row}"]): self.cleaned_data[
                f"host_table_{row}"
            ]
            for row in range(1, self.host_rows + 1)
            if self.cleaned_data.get(f"host_{row}")
        }

    @staticmethod
    def initial_of(
        plan: GroupPlan | None, hosts: dict[int, int] | None = None
    ) -> dict[str, Any]:
        """The form as ``plan`` was formed, with ``hosts`` (booking id ->
        table): those still hosting (``PlanView.hosts``), not the plan's
        stored ones, which may name a booking cancelled since."""
        initial: dict[str, Any] = TopicsForm.initial_of(plan)
        if plan is None:
            return {**initial, "version": 0}
        initial.update(
            kind=plan.kind,
            tables=None if plan.group_size else plan.tables,
            group_size=plan.group_size,
            rounds=plan.rounds,
            whom=plan.whom,
            seed=plan.seed,
            version=plan.version,
        )
        for row, (booking, table) in enumerate(sorted((hosts or {}).items()), 1):
            initial[f"host_{row}"] = str(booking)
            initial[f"host_table_{row}"] = table
        return initial


class MoveForm(forms.Form):
    table = forms.IntegerField(label=_("To table"), min_value=1, max_value=MOST_TABLES)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, plan: GroupPlan, people: list[SeatedPerson], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = forms.ChoiceField(
            label=_("Person"), choices=person_choices(people)
        )
        self.fields["round"] = forms.TypedChoiceField(
            label=_("Round"),
            coerce=int,
            choices=[(r, str(r)) for r in range(1, plan.rounds + 1)],
        )
        self.fields["table"].widget.attrs["max"] = plan.tables


class VersionForm(forms.Form):
    """The actions without fields (seat late arrivals, publish): only the
    version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
