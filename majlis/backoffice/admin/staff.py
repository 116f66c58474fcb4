from django.contrib import admin

from majlis.backoffice.models import StaffRole


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """Where the secretariat gives staff their roles, until the back office does."""

    list_display = ["user", "event", "role"]
    list_filter = ["event", "role"]
    search_fields = ["user__username", "user__email"]
    filter_horizontal = ["sessions"]
