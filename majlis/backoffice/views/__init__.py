"""The back office: staff sign in with a password and work on the sessions
their role gives them. Every access decision is made in ``access.py``."""

from majlis.backoffice.views.delegates import (
    delegate_detail,
    delegates,
    delegates_import,
    delegates_import_template,
)
from majlis.backoffice.views.door import check_in
from majlis.backoffice.views.group_outputs import groups_email, groups_print
from majlis.backoffice.views.groups import (
    groups,
    groups_late,
    groups_move,
    groups_publish,
)
from majlis.backoffice.views.personal_data import erase_personal_data
from majlis.backoffice.views.rosters import (
    cancel_on_behalf,
    move_on_behalf,
    roster,
    roster_export,
    session_messages,
)
from majlis.backoffice.views.sessions import (
    dashboard,
    event_edit,
    home,
    session_edit,
    sessions,
)
from majlis.backoffice.views.staff import staff, staff_edit, staff_remove

__all__ = [
    "cancel_on_behalf",
    "check_in",
    "dashboard",
    "delegate_detail",
    "delegates",
    "delegates_import",
    "delegates_import_template",
    "erase_personal_data",
    "event_edit",
    "groups",
    "groups_email",
    "groups_late",
    "groups_move",
    "groups_print",
    "groups_publish",
    "home",
    "move_on_behalf",
    "roster",
    "roster_export",
    "session_edit",
    "session_messages",
    "sessions",
    "staff",
    "staff_edit",
    "staff_remove",
]
