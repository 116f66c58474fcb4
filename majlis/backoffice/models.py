from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from majlis.events.models import Event, Session


class StaffRole(models.Model):
    """What a member of staff may do in one event.

    The secretariat sees and changes everything in the event; an organiser
    runs the sessions assigned to them (rosters, exports, messages, check-in);
    door staff only check people in, at the sessions assigned to them.
    """

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        ORGANISER = "organiser", _("Session organiser")
        DOOR = "door", _("Door staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    sessions = models.ManyToManyField(
        Session,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("sessions"),
        help_text=_("For organisers and door staff: the sessions they work at."),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], name="staff_one_role_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.event}"


class SessionMessage(models.Model):
    """A message an organiser wrote to the people of a session; each recipient's
    copy goes through the outbox."""

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed delegates")
        WAITLISTED = "waitlisted", _("Delegates on the waiting list")
        BOTH = "both", _("Both")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    audience = models.CharField(_("to"), max_length=12, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The same message in other languages, {"fr": {"subject", "body"}}: a
    # delegate reads the one in their language, the main text for what is
    # missing.
    versions = models.JSONField(default=dict, blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    recipients = models.JSONField(default=list)
    # The preview it was confirmed from: a preview sends once, however often
    # its form is posted (going back to it, a resubmitted page).
    send_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message to delegates")
        verbose_name_plural = _("messages to delegates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    def text_in(self, language: str) -> tuple[str, str]:
        """The subject and body a delegate of ``language`` reads."""
        version = self.versions.get(language) or {}
        return (
            version.get("subject") or self.subject,
            version.get("body") or self.body,
        )


class ImportPreview(models.Model):
    """A file of delegates the secretariat has checked and not yet confirmed.

    Kept here rather than in the session, which is read and written on every
    request: one row per member of staff and event (a new preview replaces the
    last), found by the hash of a random token the confirming form carries,
    gone once imported or, past its expiry, at the next preview anyone makes
    or the outbox workers' next housekeeping, whichever comes first.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    event = models.ForeignKey(Event, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], name="import_preview_one_per_staff"
            )
        ]

    def __str__(self) -> str:
        return self.filename
