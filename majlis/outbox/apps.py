from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "majlis.outbox"
    label = "outbox"
