from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.bookings.personal_data import event_erase_personal_data
from majlis.core.exceptions import MajlisError
from majlis.core.terminal import activate_terminal_language
from majlis.events.models import Event


class Command(BaseCommand):
    help = (
        "After the conference: erase the personal data of every delegate of an "
        "event, keeping its anonymous statistics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, help="the event's short name")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(_("No event %(slug)s.") % {"slug": options["event"]})
        if options["interactive"]:
            answer = input(
                _(
                    "Every delegate's email, name, organisation, check-in code and "
                    "access needs in %(event)s will be erased for good; the "
                    "statistics stay. Type the event's short name to go on: "
                )
                % {"event": event.slug}
            )
            if answer.strip() != event.slug:
                raise CommandError(_("Nothing was erased."))
        try:
            erased = event_erase_personal_data(event=event)
        except MajlisError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            ngettext(
                "Personal data of %(count)d delegate erased in %(event)s.",
                "Personal data of %(count)d delegates erased in %(event)s.",
                erased,
            )
            % {"count": erased, "event": event.slug}
        )
