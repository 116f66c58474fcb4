from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")
    # Never sent: written so that a request does the same work whatever it
    # asked (a sign-in for an unknown address), or found no longer true when
    # its turn came (``rendering.NotToSend``).
    DROPPED = "dropped", _("Not to be sent")


class OutboxPriority(models.IntegerChoices):
    # Someone is waiting for it to act (a sign-in link): sent before the rest,
    # and never held back while a crowd keeps the CPU busy.
    URGENT = 0, _("Urgent")
    NORMAL = 1, _("Normal")


class OutboxMessage(models.Model):
    """An email to send, written in the same transaction as the change it reports.

    The worker renders it when sending, in ``language``, from ``kind`` and
    ``payload``; so a booking transaction only inserts one small row.
    """

    kind = models.CharField(max_length=40)
    to_email = models.EmailField()
    language = models.CharField(max_length=2)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    # A database default, as the booking functions in PostgreSQL insert rows too.
    priority = models.PositiveSmallIntegerField(
        choices=OutboxPriority.choices,
        default=OutboxPriority.NORMAL,
        db_default=OutboxPriority.NORMAL,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["status", "priority", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"
