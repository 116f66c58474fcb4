import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from majlis.events.models import Event

# Check-in codes are read aloud and typed at the door: no 0/O or 1/I/L.
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 8


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))


def hash_secret(raw: str) -> str:
    """Tokens are 256-bit random strings, so one SHA-256 is enough to store them:
    a stolen table gives no usable token."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Constituency(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    EMPLOYERS = "employers", _("Employers' organisation")
    WORKERS = "workers", _("Workers' organisation")
    INTERNATIONAL = "international", _("UN or other international organisation")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia and research")
    YOUTH = "youth", _("Youth")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    NOT_GIVEN = "", _("Not given")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    ANOTHER = "another", _("Another gender")


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    AR = "ar", _("Arabic")


class Participant(models.Model):
    """A registered delegate of one event: the only people who may book there."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="participants"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    constituency = models.CharField(
        _("constituency"),
        max_length=20,
        choices=Constituency.choices,
        default=Constituency.OTHER,
    )
    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.EN,
    )
    # Optional, and used only to spread genders across a session's tables.
    gender = models.CharField(
        _("gender"), max_length=8, choices=Gender.choices, blank=True, default=""
    )
    checkin_code = models.CharField(
        _("check-in code"), max_length=16, default=new_checkin_code, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the delegate's personal data was erased (their own request, or
    # the event's after the conference): the row stays, anonymous, for the
    # bookings, audit trail and statistics that refer to it.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "event", Lower("email"), name="participant_email_unique_in_event"
            ),
            models.UniqueConstraint(
                fields=["event", "checkin_code"], name="participant_checkin_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def participant_token_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.MAJLIS_PARTICIPANT_TOKEN_DAYS)


class ParticipantToken(models.Model):
    """A bearer token for the API, issued to a delegate by a sign-in or an integration."""

    PREFIX = "mjp_"

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=participant_token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant token")
        verbose_name_plural = _("participant tokens")

    def __str__(self) -> str:
        return f"token of {self.participant_id}"


class MagicLink(models.Model):
    """A one-time sign-in link; only its hash is stored, and the random salt
    from which the server's secret key derives it again, to send the same
    link once more (``magic_link_token``). A link of no one (``participant``
    empty, expired as it was made) is the decoy a sign-in request for an
    unknown address writes, to take the same time."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="magic_links",
        null=True,
        blank=True,
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # Empty for links made before links could be sent again.
    token_salt = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"sign-in link of {self.participant_id}"


class ApiKey(models.Model):
    """A key for an integration (registration system, mobile app)."""

    PREFIX = "mjk_"

    name = models.CharField(_("name"), max_length=100, unique=True)
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text=_("The only event this key may act on; empty for every event."),
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return self.name

    def may_act_on(self, event: Event) -> bool:
        return self.event_id is None or self.event_id == event.pk


class CalendarFeed(models.Model):
    """A delegate's private calendar subscription: whoever holds its address
    sees their sessions, so only the token's hash is kept, and making a new
    address deletes the old one."""

    PREFIX = "mjc_"

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return f"calendar subscription of {self.participant_id}"
