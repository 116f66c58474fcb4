from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from majlis.outbox.models import OutboxMessage
from majlis.outbox.services import outbox_requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "to_email",
        "language",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to_email"]
    exclude = ["payload"]
    actions = ["send_again"]
    readonly_fields = [
        "kind",
        "to_email",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]

    @admin.action(description=_("Send the selected given-up messages again"))
    def send_again(
        self, request: HttpRequest, queryset: QuerySet[OutboxMessage]
    ) -> None:
        count = outbox_requeue(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
        )
