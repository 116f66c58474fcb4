from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from majlis.accounts.models import ApiKey
from majlis.accounts.services import api_key_create
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
                raise CommandError(f"No event with the slug {slug!r}.")
            return event
        events = list(Event.objects.order_by("slug")[:2])
        if len(events) != 1:
            slugs = (
                ", ".join(Event.objects.values_list("slug", flat=True)) or "none yet"
            )
            raise CommandError(
                f"Say which event the key is for with --event SLUG (events: {slugs}), "
                "or --all-events."
            )
        return events[0]

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for key in ApiKey.objects.select_related("event").order_by("name"):
                state = "revoked" if key.revoked_at else "active"
                scope = key.event.slug if key.event else "all events"
                self.stdout.write(
                    f"{key.name}\t{scope}\t{state}\t{key.created_at:%Y-%m-%d}"
                )
            return
        if ApiKey.objects.filter(name=options["name"]).exists():
            raise CommandError(f"An API key named {options['name']!r} already exists.")
        event = None if options["all_events"] else self._event(options["event"])
        raw = api_key_create(name=options["name"], event=event)
        self.stdout.write(
            f"Created API key {options['name']!r}. Keep it secret; it is shown once:"
        )
        self.stdout.write(raw)
