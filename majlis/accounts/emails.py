"""The sign-in link's email and the welcome of an imported delegate,
registered with the outbox."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from majlis.accounts.models import Participant
from majlis.core.translation import isolate_text
from majlis.outbox.models import OutboxMessage
from majlis.outbox.rendering import MessageKind, absolute_url, register_kinds


def render_magic_link(message: OutboxMessage, _batch: object) -> EmailMessage:
    participant = Participant.objects.select_related("event").get(
        pk=message.payload["participant"]
    )
    event = participant.event
    link = absolute_url(
        reverse(
            "sign-in-link",
            kwargs={"event": event.slug, "token": message.payload["token"]},
        )
    )
    if message.payload.get("next"):
        link += "?" + urlencode({"next": message.payload["next"]})
    context = {
        "participant": participant,
        "event_name": event.name,
        "link": link,
        # A link sent again has less of its life left.
        "minutes": message.payload.get("minutes", settings.MAJLIS_MAGIC_LINK_MINUTES),
    }
    subject = _("Your sign-in link for %(event)s") % {"event": isolate_text(event.name)}
    body = render_to_string("accounts/email/magic_link.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def render_welcome(message: OutboxMessage, _batch: object) -> EmailMessage:
    participant = Participant.objects.select_related("event").get(
        pk=message.payload["participant"]
    )
    event = participant.event
    context = {
        "participant": participant,
        "event_name": event.name,
        "link": absolute_url(
            reverse(
                "sign-in-link",
                kwargs={"event": event.slug, "token": message.payload["token"]},
            )
        ),
        "days": message.payload.get("days", settings.MAJLIS_WELCOME_LINK_DAYS),
        "sign_in": absolute_url(reverse("sign-in", kwargs={"event": event.slug})),
        "programme": absolute_url(reverse("programme", kwargs={"event": event.slug})),
    }
    subject = _("Welcome to %(event)s: book your sessions") % {
        "event": isolate_text(event.name)
    }
    body = render_to_string("accounts/email/welcome.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.to_email])


def register() -> None:
    register_kinds(["magic_link"], MessageKind(render=render_magic_link, urgent=True))
    # Not urgent: an import's welcomes must not hold back a sign-in link.
    register_kinds(["welcome"], MessageKind(render=render_welcome))
