from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.core.terminal import activate_terminal_language
from majlis.demo.loader import (
    DEMO_DELEGATE_EMAIL,
    DEMO_ORGANISER_PASSWORD,
    DEMO_ORGANISER_USERNAME,
    demo_book,
    demo_groups,
    demo_load,
    participants_to_add_for_booking,
)


class Command(BaseCommand):
    help = "Load the demo conference (idempotent); --participants N adds N fictitious delegates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--participants",
            type=int,
            default=None,
            help="Fictitious delegates to add (default 0; with --book, as many "
            "as bring them to 180).",
        )
        parser.add_argument(
            "--book",
            action="store_true",
            help="Book the fictitious delegates into sessions (and check some in), "
            "then form and publish each session's groups.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        participants = options["participants"]
        if participants is None:
            participants = participants_to_add_for_booking() if options["book"] else 0
        summary = demo_load(participants=participants)
        if options["book"]:
            demo_book(event=summary.event)
            demo_groups(event=summary.event)
        self.stdout.write(
            ngettext(
                "Demo event %(event)s: %(count)d session added.",
                "Demo event %(event)s: %(count)d sessions added.",
                summary.sessions_created,
            )
            % {"event": summary.event.slug, "count": summary.sessions_created}
        )
        self.stdout.write(
            ngettext(
                "%(count)d delegate added.",
                "%(count)d delegates added.",
                summary.participants_created,
            )
            % {"count": summary.participants_created}
        )
        self.stdout.write(
            _(
                "Sign in as a delegate with %(email)s: the sign-in email is printed "
                "where the server runs, as no mail server is set."
            )
            % {"email": DEMO_DELEGATE_EMAIL}
        )
        self.stdout.write(
            _("Sign in as an organiser at /admin/ with %(user)s / %(password)s.")
            % {"user": DEMO_ORGANISER_USERNAME, "password": DEMO_ORGANISER_PASSWORD}
        )
