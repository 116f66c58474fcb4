"""How every form is drawn (``FORM_RENDERER``), in one place for the
delegates' pages, the back office and the admin:

- ``{{ form }}`` renders ``core/forms/form.html``, which sums up a refused
  form's errors at its top, each linked to its field;
- every field where people type text gets ``dir="auto"``, so that an Arabic
  name typed on an English page, or an address typed on an Arabic one, reads
  in its own direction as it is typed."""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest

TEXT_INPUT_TYPES = frozenset({"text", "email", "search", "url", "tel"})


def types_text(widget: dict[str, Any]) -> bool:
    return widget.get("type") in TEXT_INPUT_TYPES or str(
        widget.get("template_name", "")
    ).endswith("/textarea.html")


class MajlisFormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"

    def render(
        self,
        template_name: str,
        context: dict[str, Any],
        request: HttpRequest | None = None,
    ) -> str:
        widget = context.get("widget")
        # Each rendering builds its own attrs: setting one changes no widget.
        if isinstance(widget, dict) and types_text(widget):
            widget["attrs"].setdefault("dir", "auto")
        return super().render(template_name, context, request)
