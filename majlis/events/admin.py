from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.http import HttpRequest

from majlis.bookings.services import Actor, session_set_capacity
from majlis.core.exceptions import MajlisError
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


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "event", "starts_at", "capacity", "seats_taken"]
    list_filter = ["event", "format"]
    search_fields = ["code", "title_en"]
    readonly_fields = ["seats_taken"]

    def save_model(
        self, request: HttpRequest, obj: Session, form: forms.ModelForm, change: bool
    ) -> None:
        """A capacity change goes through the booking services, which promote from
        the waiting list and refuse to drop below the confirmed count."""
        if change and "capacity" in form.changed_data:
            new_capacity = obj.capacity
            obj.capacity = form.initial["capacity"]
            super().save_model(request, obj, form, change)
            try:
                updated = session_set_capacity(
                    session=obj,
                    capacity=new_capacity,
                    actor=organiser_actor(request),
                )
            except MajlisError as error:
                self.message_user(request, str(error.message), level=messages.ERROR)
            else:
                obj.capacity = updated.capacity
            return
        super().save_model(request, obj, form, change)
