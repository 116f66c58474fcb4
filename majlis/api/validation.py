"""Validation errors of a request, said in its language.

django-ninja hands over pydantic's errors: English sentences ("Field
required") and locations such as ``("body", "payload", "name")``. Each is said
again here as one whole translated sentence naming the field as people call
it; the machine-readable part (where, which check, the allowed values) goes
into the error's ``details``, in the shape of Django's form errors, so that an
integration reads a bad field the same way whichever layer refused it.
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from majlis.core.exceptions import InvalidInput

# The names a request's fields go by, in body, query, path or headers.
FIELD_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("name"),
    "organisation": gettext_lazy("organisation"),
    "constituency": gettext_lazy("constituency"),
    "country": gettext_lazy("country"),
    "language": gettext_lazy("preferred language"),
    "gender": gettext_lazy("gender"),
    "email": gettext_lazy("email"),
    "event": gettext_lazy("event"),
    "switch": gettext_lazy("switch"),
    "access_needs": gettext_lazy("access needs"),
    "access_needs_note": gettext_lazy("note on access needs"),
    "understood": gettext_lazy("language understood"),
    "booking_id": gettext_lazy("booking number"),
    "code": gettext_lazy("session code"),
}

# A pydantic error type, and the sentence that says it. Each takes the
# field's label and the error's context.
Sentence = Callable[[str, dict[str, Any]], str]


def _choices(expected: str) -> list[str]:
    """The values pydantic lists in its English "'a', 'b' or 'c'"."""
    return re.findall(r"'([^']*)'", expected)


SENTENCES: dict[str, Sentence] = {
    "missing": lambda field, ctx: (
        _("The field “%(field)s” is required.") % {"field": field}
    ),
    "enum": lambda field, ctx: (
        _("The field “%(field)s” must be one of: %(values)s.")
        % {"field": field, "values": ", ".join(_choices(ctx.get("expected", "")))}
    ),
    "string_type": lambda field, ctx: (
        _("The field “%(field)s” must be text.") % {"field": field}
    ),
    "string_too_long": lambda field, ctx: (
        ngettext(
            "The field “%(field)s” takes at most %(count)d character.",
            "The field “%(field)s” takes at most %(count)d characters.",
            ctx["max_length"],
        )
        % {"field": field, "count": ctx["max_length"]}
    ),
    "string_too_short": lambda field, ctx: (
        _("The field “%(field)s” must not be empty.") % {"field": field}
        if ctx.get("min_length") == 1
        else ngettext(
            "The field “%(field)s” takes at least %(count)d character.",
            "The field “%(field)s” takes at least %(count)d characters.",
            ctx["min_length"],
        )
        % {"field": field, "count": ctx["min_length"]}
    ),
    "int_type": lambda field, ctx: (
        _("The field “%(field)s” must be a whole number.") % {"field": field}
    ),
    "bool_type": lambda field, ctx: (
        _("The field “%(field)s” must be true or false.") % {"field": field}
    ),
    "list_type": lambda field, ctx: (
        _("The field “%(field)s” must be a list.") % {"field": field}
    ),
}
SENTENCES["literal_error"] = SENTENCES["enum"]
SENTENCES["int_parsing"] = SENTENCES["int_type"]
SENTENCES["bool_parsing"] = SENTENCES["bool_type"]
# A body that is not a JSON object: JsonObjectIn's check, or a model's.
BODY_NOT_AN_OBJECT = {"value_error", "model_type", "model_attributes_type", "dict_type"}


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def invalid_request(errors: Iterable[dict[str, Any]]) -> InvalidInput:
    """One ``InvalidInput`` for all of pydantic's ``errors``: its message each
    problem as a sentence, its details ``{"fields": {path: [{"message",
    "code", "in"[, "allowed"]}]}}``."""
    sentences: list[str] = []
    fields: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        where, *rest = error.get("loc", ()) or ("body",)
        if where == "body" and rest:
            rest = rest[1:]  # the parameter's own name, "payload"
        path = ".".join(str(part) for part in rest)
        kind = error.get("type", "")
        ctx = error.get("ctx") or {}
        names = [part for part in rest if isinstance(part, str)]
        if not names and kind in BODY_NOT_AN_OBJECT | {"missing"}:
            sentence = _("The body must be a JSON object.")
        else:
            label = field_label(names[-1] if names else str(where))
            say = SENTENCES.get(kind)
            sentence = (
                say(label, ctx)
                if say
                else _("The field “%(field)s” is not valid.") % {"field": label}
            )
        item: dict[str, Any] = {"message": sentence, "code": kind, "in": str(where)}
        if kind in {"enum", "literal_error"}:
            item["allowed"] = _choices(ctx.get("expected", ""))
        fields.setdefault(path or str(where), []).append(item)
        sentences.append(sentence)
    return InvalidInput(" ".join(sentences), extra={"fields": fields})
