from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import ApiKey, Participant
from majlis.events.models import Session


class AccessNeed(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Wheelchair access")
    SIGN_LANGUAGE = "sign_language", _("Sign language interpretation")
    CAPTIONING = "captioning", _("Captioning")
    OTHER = "other", _("Other")


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


class Booking(models.Model):
    """A delegate's seat, or place in the queue for one, in one session.

    Changed only through ``majlis.bookings.services``. The waiting list is in
    the order of ``id``: ids are drawn while the session is locked, so they
    follow the order of joining even when clocks or request threads lag. ``starts_at`` and
    ``ends_at`` copy the session's times so that PostgreSQL can refuse two
    overlapping confirmed bookings of one delegate (see migration 0002).
    """

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="bookings"
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(_("booked"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(
        _("joined the waiting list"), null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    access_needs = models.JSONField(_("access needs"), default=list, blank=True)
    access_needs_note = models.CharField(
        _("access needs, in the delegate's words"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="booking_one_active_per_participant_and_session",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values),
                name="booking_status_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "status", "id"], name="booking_session_queue"
            ),
            models.Index(fields=["participant", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} in {self.session_id}: {self.status}"

    def access_need_labels(self) -> list[str]:
        """The needs in the active language's words; a code no longer offered
        stays as it is rather than vanish from a roster."""
        return [
            str(AccessNeed(need).label) if need in AccessNeed.values else str(need)
            for need in self.access_needs
        ]


class ActorKind(models.TextChoices):
    PARTICIPANT = "participant", _("the delegate")
    ORGANISER = "organiser", _("an organiser")
    INTEGRATION = "integration", _("an integration")
    SYSTEM = "system", _("the system")


class BookingChange(models.Model):
    """The audit trail: one row for every change of a booking, never updated."""

    class Action(models.TextChoices):
        BOOKED = "booked", _("booked a seat")
        WAITLISTED = "waitlisted", _("joined the waiting list")
        PROMOTED = "promoted", _("promoted from the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        SWITCHED_AWAY = "switched_away", _("released by a switch")
        ACCESS_NEEDS = "access_needs", _("changed the access needs")
        CHECKED_IN = "checked_in", _("checked in at the door")
        RELEASED_NO_SHOW = "released_no_show", _("released: not there after the start")
        WALK_IN = "walk_in", _("given a free seat at the door")
        RELEASED_FOR_PREFERRED = (
            "released_for_preferred",
            _("released for a preferred session"),
        )

    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(
        max_length=12, choices=BookingStatus.choices, blank=True
    )
    to_status = models.CharField(max_length=12, choices=BookingStatus.choices)
    actor_kind = models.CharField(max_length=12, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("booking change")
        verbose_name_plural = _("booking changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.action} by {self.actor_kind}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``, kept so that a
    retry gets the same answer and changes nothing."""

    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal}: {self.key}"
