"""Load the demo conference with N registered delegates and write the crowd's plan.

Run with the server's settings and database (the flash-crowd bench does):
every delegate gets a real API token through the accounts service, and a web
session signed in as them (as following a sign-in link leaves in the browser,
for the bench's booking through the pages), and the plan lists the sessions of
each day with a skewed popularity, a few sessions most wanted, as at a real
opening. A few more delegates, who book nothing, ask for sign-in links
during the crowd.
"""

import argparse
import json
import os
from importlib import import_module
from pathlib import Path

# Six a phase for the three phases that ask: none asks again within the
# minute its sign-in limit counts.
SIGN_IN_DELEGATES = 18


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delegates", type=int, default=3000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from majlis.accounts.models import Participant
    from majlis.accounts.services import participant_token_create
    from majlis.demo.loader import DEMO_SLUG, demo_load
    from majlis.events.models import Session
    from majlis.site.signin import SESSION_KEY

    web_sessions = import_module(settings.SESSION_ENGINE).SessionStore
    summary = demo_load(participants=args.delegates + SIGN_IN_DELEGATES)
    event = summary.event
    delegates = []
    with transaction.atomic():
        people = list(
            Participant.objects.filter(event=event, email__startswith="demo-").order_by(
                "pk"
            )[: args.delegates + SIGN_IN_DELEGATES]
        )
        for person in people[: args.delegates]:
            # What participant_sign_in leaves in the session of a browser that
            # followed the delegate's link.
            web_session = web_sessions()
            web_session[SESSION_KEY] = person.pk
            web_session.create()
            delegates.append(
                {
                    "email": person.email,
                    "language": person.language,
                    "token": participant_token_create(participant=person),
                    "web_session": web_session.session_key,
                }
            )
    days: dict[str, list[dict]] = {}
    for session in Session.objects.filter(event=event).order_by("starts_at", "code"):
        day = session.starts_at.astimezone(event.zone).date().isoformat()
        days.setdefault(day, []).append({"code": session.code})
    for sessions in days.values():
        # Halving popularity by rank: the first session of a day is wanted by
        # about half the delegates.
        for rank, choice in enumerate(sessions):
            choice["popularity"] = 2.0 ** (-rank)
    plan = {
        "api": "/api/v1",
        "event": DEMO_SLUG,
        "days": list(days.values()),
        "cancel_share": 0.1,
        "delegates": delegates,
        "sign_in": [person.email for person in people[args.delegates :]],
        "site": f"/{settings.LANGUAGE_CODE}/e/{DEMO_SLUG}",
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "database": os.environ.get("DATABASE_URL", ""),
    }
    Path(args.out).write_text(json.dumps(plan))
    print(f"{len(delegates)} delegates, {sum(map(len, days.values()))} sessions")


if __name__ == "__main__":
    main()
