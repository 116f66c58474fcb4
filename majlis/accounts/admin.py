from django.contrib import admin
from django.http import HttpRequest

from majlis.accounts.models import ApiKey, Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "event",
        "organisation",
        "constituency",
        "country",
        "language",
    ]
    list_filter = ["event", "constituency", "language"]
    search_fields = ["name", "email", "organisation", "checkin_code"]
    readonly_fields = ["checkin_code", "created_at", "updated_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "revoked_at"]
    readonly_fields = ["key_hash", "created_at"]
    fields = ["name", "revoked_at", "key_hash", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A key's secret is shown once, by `majlis apikey create`.
        return False
