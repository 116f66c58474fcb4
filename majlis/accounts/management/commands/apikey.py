from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from majlis.accounts.models import ApiKey
from majlis.accounts.services import api_key_create
from majlis.core.terminal import activate_terminal_language
from majlis.events.models import Event


class Command(BaseCommand):
    help = (
        "Manage integration API keys. `apikey create --name NAME` prints the key last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; it is shown once.")
        create.add_argument("--name", required=True)
        scope = create.add_mutually_exclusive_group()
        scope.add_argument(
            "--event",
            help="The slug of the only event the key may act on (the default "
            "when there is one event).",
        )
        scope.add_argument(
            "--all-events",
            action="store_true",
            help="A key for every event, for the secretariat's own tools.",
        )
        sub.add_parser("list", help="List the keys (names only).")

    def _event(self, slug: str | None) -> Event:
        if slug:
            event = Event.objects.filter(slug=slug).first()
            if event is None:
                raise CommandError(
                    _("No event has the slug %(slug)s.") % {"slug": slug}
                )
            return event
        events = list(Event.objects.order_by("slug")[:2])
        if len(events) != 1:
            slugs = ", ".join(Event.objects.values_list("slug", flat=True)) or "-"
            raise CommandError(
                _(
                    "Say which event the key is for with --event SLUG (events: "
                    "%(slugs)s), or --all-events."
                )
                % {"slugs": slugs}
            )
        return events[0]

    def handle(self, *args: Any, **options: Any) -> None:
        activate_terminal_language()
        if options["action"] == "list":
            for key in ApiKey.objects.select_related("event").order_by("name"):
                state = _("revoked") if key.revoked_at else _("active")
                scope = key.event.slug if key.event else _("all events")
                self.stdout.write(
                    f"{key.name}\t{scope}\t{state}\t{key.created_at:%Y-%m-%d}"
                )
            return
        if ApiKey.objects.filter(name=options["name"]).exists():
            raise CommandError(
                _("An API key named %(name)s already exists.")
                % {"name": options["name"]}
            )
        event = None if options["all_events"] else self._event(options["event"])
        raw = api_key_create(name=options["name"], event=event)
        self.stdout.write(
            _("Created the API key %(name)s. Keep it secret; it is shown only once:")
            % {"name": options["name"]}
        )
        self.stdout.write(raw)
