from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from majlis.events.demo import (
    DEMO_DELEGATE_EMAIL,
    DEMO_ORGANISER_PASSWORD,
    DEMO_ORGANISER_USERNAME,
    demo_load,
)


class Command(BaseCommand):
    help = "Load the demo conference (idempotent); --participants N adds N fictitious delegates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_load(participants=options["participants"])
        self.stdout.write(
            f"Demo event {summary.event.slug}: {summary.sessions_created} sessions and "
            f"{summary.participants_created} delegates added."
        )
        self.stdout.write(
            f"Delegate sign-in: {DEMO_DELEGATE_EMAIL} (the link is printed where the "
            "server runs, as no mail server is set)."
        )
        self.stdout.write(
            f"Organiser: /admin/ as {DEMO_ORGANISER_USERNAME} / {DEMO_ORGANISER_PASSWORD}"
            + ("" if summary.organiser_created else " (unless you changed it)")
        )
