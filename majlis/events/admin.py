from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.http import HttpRequest

from majlis.bookings.services import Actor, session_move, session_set_capacity
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

    def get_readonly_fields(
        self, request: HttpRequest, obj: Session | None = None
    ) -> list[str]:
        # Moving a session to another event would carry its bookings along.
        return ["seats_taken", "event"] if obj is not None else ["seats_taken"]

    def save_model(
        self, request: HttpRequest, obj: Session, form: forms.ModelForm, change: bool
    ) -> None:
        """Capacity and times change through the booking services, which promote
        from the waiting list, move the bookings' times, and refuse what would
        break a rule; the other fields are saved as they are."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        service_fields = {"capacity", "starts_at", "ends_at"}
        plain = [name for name in form.changed_data if name not in service_fields]
        if plain:
            obj.save(update_fields=plain)
        actor = organiser_actor(request)
        try:
            if {"starts_at", "ends_at"} & set(form.changed_data):
                session_move(
                    session=obj,
                    starts_at=obj.starts_at,
                    ends_at=obj.ends_at,
                    actor=actor,
                )
            if "capacity" in form.changed_data:
                session_set_capacity(session=obj, capacity=obj.capacity, actor=actor)
        except MajlisError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)
