"""The language of the command line's messages: the terminal's, as the
environment says (LC_ALL, LC_MESSAGES, LANG), when Majlis speaks it."""

import os

from django.conf import settings
from django.utils import translation


def activate_terminal_language() -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        code = value.split(".")[0].split("_")[0].lower()
        if code in {"c", "posix"}:
            continue
        if code in dict(settings.LANGUAGES):
            translation.activate(code)
            return
        if code:
            break
    translation.activate(settings.LANGUAGE_CODE)
