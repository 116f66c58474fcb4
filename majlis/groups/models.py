"""A session's arrangement of tables, stored: who sits where in each round.

Changed only through ``majlis.groups.services``; read through
``majlis.groups.selectors``. Tables and rounds are numbered from 1 here and on
every page (the planner counts from 0).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from majlis.accounts.models import Participant
from majlis.bookings.models import Booking
from majlis.core.translation import LANGUAGE_CODES, active_language
from majlis.events.models import Session
from majlis.groups.planner import Kind


class GroupKind(models.TextChoices):
    CAFE = Kind.CAFE.value, _("World Café rounds")
    TOPICS = Kind.TOPICS.value, _("Working groups on topics")
    TEAMS = Kind.TEAMS.value, _("Teams")


class Whom(models.TextChoices):
    CONFIRMED = "confirmed", _("Everyone with a confirmed seat")
    CHECKED_IN = "checked_in", _("Only those checked in at the door")


class GroupPlan(models.Model):
    """The arrangement of one session: its settings, its figures, and whether
    the delegates see it (``published_at``).

    ``version`` grows with every change, so that a form sent from a page
    showing an older arrangement (another organiser changed it meanwhile) is
    refused rather than applied to what its sender never saw.
    """

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="group_plan"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=GroupKind.choices)
    tables = models.PositiveSmallIntegerField(_("tables"))
    # Set when the organiser asked for a group size: the tables are then
    # worked out again from the number of people at each planning.
    group_size = models.PositiveSmallIntegerField(
        _("group size"), null=True, blank=True
    )
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=1)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    whom = models.CharField(
        _("people to place"),
        max_length=12,
        choices=Whom.choices,
        default=Whom.CONFIRMED,
    )
    # Working groups: one entry per table, {"en": ..., "fr": ..., ...}.
    topics = models.JSONField(_("topics"), default=list, blank=True)
    # Hosts stay at their table: {"<booking id>": <table>}.
    hosts = models.JSONField(_("hosts"), default=dict, blank=True)
    # ``planner.Figures`` as a dict, of this arrangement and of a random one
    # of the same people, sizes and hosts; empty while nothing is planned.
    figures = models.JSONField(default=dict, blank=True)
    random_figures = models.JSONField(default=dict, blank=True)
    method = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # 0 until the first change is saved.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("group plan")
        verbose_name_plural = _("group plans")

    def __str__(self) -> str:
        return f"groups of {self.session}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def topic_name(self, table: int, language: str | None = None) -> str:
        """The topic of ``table`` (from 1) in ``language`` (else the active
        one, else any), or "" if it has none."""
        if not 1 <= table <= len(self.topics):
            return ""
        texts: dict[str, Any] = self.topics[table - 1] or {}
        main = self.session.event.main_language
        for code in (language or active_language(), main, *LANGUAGE_CODES):
            if texts.get(code):
                return str(texts[code])
        return ""

    def host_tables(self) -> dict[int, int]:
        """Booking id -> table (from 1) of each host, as stored: a host whose
        booking was cancelled since is still named here, and hosts no longer
        (``selectors.current_arrangement``)."""
        return {int(booking): int(table) for booking, table in self.hosts.items()}


class GroupSeat(models.Model):
    """One person's table in one round of a plan."""

    plan = models.ForeignKey(GroupPlan, on_delete=models.CASCADE, related_name="seats")
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="group_seats"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    table = models.PositiveSmallIntegerField(_("table"))

    class Meta:
        verbose_name = _("seat at a table")
        verbose_name_plural = _("seats at tables")
        ordering = ["round", "table", "booking_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "booking", "round"], name="group_seat_one_per_round"
            ),
            models.CheckConstraint(
                condition=models.Q(round__gte=1, table__gte=1),
                name="group_seat_numbered_from_one",
            ),
        ]

    def __str__(self) -> str:
        return f"booking {self.booking_id}: round {self.round}, table {self.table}"


class TopicPreference(models.Model):
    """A delegate's topics for a session's working groups, in order of
    preference (table numbers, from 1). Optional."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="topic_preferences"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="topic_preferences"
    )
    choices = models.JSONField(_("topics in order of preference"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("topic preference")
        verbose_name_plural = _("topic preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                name="topic_preference_one_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"topics of {self.participant_id} in {self.session_id}"
