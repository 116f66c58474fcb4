from django.contrib import admin
from django.http import HttpRequest

from majlis.bookings.models import Booking, BookingChange


class BookingChangeInline(admin.TabularInline):
    model = BookingChange
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "action",
        "from_status",
        "to_status",
        "actor_kind",
        "actor_user",
        "actor_api_key",
    ]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change only through the booking services (the back
    office brings organisers' actions)."""

    list_display = [
        "participant",
        "session",
        "status",
        "created_at",
        "confirmed_at",
        "waitlisted_at",
    ]
    list_filter = ["status", "session__event", "session"]
    search_fields = ["participant__name", "participant__email", "session__code"]
    inlines = [BookingChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
