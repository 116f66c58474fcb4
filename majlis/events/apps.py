from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "majlis.events"
    label = "events"
