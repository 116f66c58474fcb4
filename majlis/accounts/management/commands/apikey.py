from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from majlis.accounts.models import ApiKey
from majlis.accounts.services import api_key_create


class Command(BaseCommand):
    help = (
        "Manage integration API keys. `apikey create --name NAME` prints the key last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; it is shown once.")
        create.add_argument("--name", required=True)
        sub.add_parser("list", help="List the keys (names only).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for key in ApiKey.objects.order_by("name"):
                state = "revoked" if key.revoked_at else "active"
                self.stdout.write(f"{key.name}\t{state}\t{key.created_at:%Y-%m-%d}")
            return
        if ApiKey.objects.filter(name=options["name"]).exists():
            raise CommandError(f"An API key named {options['name']!r} already exists.")
        raw = api_key_create(name=options["name"])
        self.stdout.write(
            f"Created API key {options['name']!r}. Keep it secret; it is shown once:"
        )
        self.stdout.write(raw)
