from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from majlis.backoffice.forms import SessionForm
from majlis.bookings.models import ACTIVE_STATUSES, AccessNeed, Booking, BookingStatus
from majlis.bookings.selectors import (
    access_needs_counts,
)
from majlis.bookings.services import Actor, session_save_changes
from majlis.events.models import Event, Session


def organiser_actor(request: HttpRequest) -> Actor:
    user = request.user
    return Actor.organiser(user) if isinstance(user, User) else Actor.system()


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "name_en",
        "time_zone",
        "booking_opens_at",
        "booking_closes_at",
    ]
    search_fields = ["slug", "name_en"]


class RosterInline(admin.TabularInline):
    """Who holds a seat or waits, with their access needs; changed only through
    the booking services (the back office brings organisers' actions)."""

    model = Booking
    verbose_name = gettext_lazy("booking")
    verbose_name_plural = gettext_lazy("roster")
    fields = ["participant", "status", "needs", "access_needs_note"]
    readonly_fields = ["participant", "status", "needs", "access_needs_note"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=ACTIVE_STATUSES)
            .select_related("participant")
            .order_by("status", "pk")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("access needs"))
    def needs(self, booking: Booking) -> str:
        return ", ".join(booking.access_need_labels())


class MissingTranslationFilter(admin.SimpleListFilter):
    """The secretariat's list of sessions whose texts fall back to another language."""

    title = gettext_lazy("translations")
    parameter_name = "translations"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("missing", _("Missing in a language of the event"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Session]
    ) -> QuerySet[Session]:
        if self.value() != "missing":
            return queryset
        missing = [
            s.pk for s in queryset.select_related("event") if s.missing_translations()
        ]
        return queryset.filter(pk__in=missing)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionForm
    inlines = [RosterInline]
    list_display = [
        "code",
        "title_en",
        "event",
        "starts_at",
        "capacity",
        "seats_taken",
        "translations_missing",
    ]
    list_filter = ["event", "format", MissingTranslationFilter]
    list_select_related = ["event"]
    search_fields = ["code", "title_en"]
    readonly_fields = ["seats_taken"]

    @admin.display(description=gettext_lazy("Missing translations"))
    def translations_missing(self, session: Session) -> str:
        return ", ".join(session.missing_translations()) or "—"

    @admin.display(description=gettext_lazy("Access needs of the confirmed delegates"))
    def access_needs(self, session: Session) -> str:
        confirmed = list(
            Booking.objects.filter(
                session=session, status=BookingStatus.CONFIRMED
            ).only("access_needs")
        )
        counts = access_needs_counts(confirmed)
        return "; ".join(
            f"{AccessNeed(need).label}: {count}" for need, count in counts.items()
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Session | None = None
    ) -> list[str]:
        # Moving a session to another event would carry its bookings along.
        if obj is None:
            return ["seats_taken"]
        return ["seats_taken", "event", "access_needs"]

    def save_model(
        self, request: HttpRequest, obj: Session, form: forms.ModelForm, change: bool
    ) -> None:
        """Capacity and times change through the booking services, which promote
        from the waiting list, move the bookings' times, and refuse what would
        break a rule; the other fields are saved as they are. The form has
        already refused what it could see; what changed since (a race) is
        reported after saving."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        refused = session_save_changes(
            session=form.instance,
            changed=form.changed_data,
            actor=organiser_actor(request),
        )
        if refused is not None:
            self.message_user(request, str(refused.message), level=messages.ERROR)
