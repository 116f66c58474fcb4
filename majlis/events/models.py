import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from majlis.core.translation import LANGUAGE_CODES, pick_translation


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(zone)s is not a time zone name such as Africa/Casablanca."),
            params={"zone": value},
        )


def default_languages() -> list[str]:
    return list(LANGUAGE_CODES)


class SpokenLanguage(models.TextChoices):
    """Languages a session may be held or interpreted in: the six of the United
    Nations and Portuguese, frequent at the ILO."""

    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    PORTUGUESE = "pt", _("Portuguese")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")


def validate_spoken_languages(value: object) -> None:
    if not isinstance(value, list) or not all(
        code in SpokenLanguage.values for code in value
    ):
        raise ValidationError(
            _("Choose languages among: %(codes)s."),
            params={"codes": ", ".join(SpokenLanguage.values)},
        )


def default_spoken_languages() -> list[str]:
    return ["en"]


class Event(models.Model):
    slug = models.SlugField(_("short name in links"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone]
    )
    venue_en = models.CharField(_("venue (English)"), max_length=200, blank=True)
    venue_fr = models.CharField(_("venue (French)"), max_length=200, blank=True)
    venue_es = models.CharField(_("venue (Spanish)"), max_length=200, blank=True)
    venue_ar = models.CharField(_("venue (Arabic)"), max_length=200, blank=True)
    contact_email = models.EmailField(
        _("contact address"),
        blank=True,
        help_text=_(
            "The event's address for delegates' replies: organisers may choose "
            "it as the reply-to address of their messages."
        ),
    )
    languages = models.JSONField(_("languages offered"), default=default_languages)
    main_language = models.CharField(
        _("main language"),
        max_length=2,
        default="en",
        choices=[(code, SpokenLanguage(code).label) for code in LANGUAGE_CODES],
    )
    booking_opens_at = models.DateTimeField(_("booking opens"), null=True, blank=True)
    booking_closes_at = models.DateTimeField(
        _("booking closes"),
        null=True,
        blank=True,
        help_text=_("Leave empty to close the booking of each session when it starts."),
    )
    is_demo = models.BooleanField(
        _("demo event"),
        default=False,
        help_text=_("A demo keeps booking open after its sessions start, and says so."),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return pick_translation(self, "name", fallback=self.main_language)

    @property
    def venue(self) -> str:
        return pick_translation(self, "venue", fallback=self.main_language)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class SessionFormat(models.TextChoices):
    WORKING_GROUPS = "working_groups", _("Parallel working groups")
    WORLD_CAFE = "world_cafe", _("World Café")
    FORESIGHT = "foresight", _("Scenario-based foresight")
    POLICY_LAB = "policy_lab", _("Policy lab")
    SCENARIO_TRAINING = "scenario_training", _("Scenario-based training")
    DATA_LAB = "data_lab", _("Data lab")
    CASE_STUDIES = "case_studies", _("Case studies and tools")
    WORKSHOP = "workshop", _("Workshop")


# Fields only the booking services write, under the session's lock.
SERVICE_OWNED_FIELDS = frozenset({"seats_taken", "waitlist_length", "schedule_version"})


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="sessions")
    code = models.SlugField(_("code"), max_length=60)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    organisers = models.JSONField(_("organisers"), default=list, blank=True)
    format = models.CharField(
        _("format"),
        max_length=30,
        choices=SessionFormat.choices,
        default=SessionFormat.WORKSHOP,
    )
    room_en = models.CharField(_("room (English)"), max_length=100, blank=True)
    room_fr = models.CharField(_("room (French)"), max_length=100, blank=True)
    room_es = models.CharField(_("room (Spanish)"), max_length=100, blank=True)
    room_ar = models.CharField(_("room (Arabic)"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"))
    has_waitlist = models.BooleanField(_("keeps a waiting list"), default=True)
    no_show_release_minutes = models.PositiveSmallIntegerField(
        _("release no-shows after (minutes)"),
        default=10,
        help_text=_(
            "From this many minutes after the start, the seats of confirmed delegates "
            "who have not checked in can be given to the waiting list and walk-ins."
        ),
    )
    languages = models.JSONField(
        _("working languages"),
        default=default_spoken_languages,
        validators=[validate_spoken_languages],
        help_text=_("The languages spoken in the session."),
    )
    interpretation = models.JSONField(
        _("interpretation into"),
        default=list,
        blank=True,
        validators=[validate_spoken_languages],
        help_text=_("The languages the session is interpreted into, if any."),
    )
    # Confirmed seats, changed only by majlis.bookings.services under this row's
    # lock; the CHECK below makes overselling impossible even for a buggy writer.
    seats_taken = models.PositiveIntegerField(
        _("seats taken"), default=0, editable=False
    )
    # Delegates waiting, kept by a database trigger on bookings (migration
    # bookings/0009) in the transaction that changes them: a waiting delegate's
    # place in line is read here in constant time instead of counted.
    waitlist_length = models.PositiveIntegerField(
        _("Waiting"), default=0, editable=False
    )
    # Raised at each move, so that calendars replace the entry they hold.
    schedule_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"], name="session_code_unique_in_event"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__gte=0) & Q(seats_taken__lte=F("capacity")),
                name="session_seats_taken_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title_en}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # seats_taken belongs to the booking services, which change it under this
        # row's lock; a save from an object read earlier must not write it back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in SERVICE_OWNED_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return pick_translation(self, "title", fallback=self.event.main_language)

    @property
    def description(self) -> str:
        return pick_translation(self, "description", fallback=self.event.main_language)

    @property
    def room(self) -> str:
        return pick_translation(self, "room", fallback=self.event.main_language)

    def missing_translations(self) -> list[str]:
        """The event's languages in which the title or description is still empty."""
        return [
            code
            for code in self.event.languages
            if not getattr(self, f"title_{code}", "")
            or (self.description_en and not getattr(self, f"description_{code}", ""))
        ]

    @property
    def no_show_release_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.no_show_release_minutes)

    def spoken_language_names(self) -> list[str]:
        return [str(SpokenLanguage(code).label) for code in self.languages]

    def interpretation_names(self) -> list[str]:
        return [str(SpokenLanguage(code).label) for code in self.interpretation]

    def can_be_followed_in(self, code: str) -> bool:
        return code in self.languages or code in self.interpretation

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def overlaps(self, other: "Session") -> bool:
        return intervals_overlap(
            self.starts_at, self.ends_at, other.starts_at, other.ends_at
        )


def intervals_overlap(
    starts_a: datetime, ends_a: datetime, starts_b: datetime, ends_b: datetime
) -> bool:
    """Half-open intervals: a session ending at 18:30 does not overlap one starting then."""
    return starts_a < ends_b and starts_b < ends_a
