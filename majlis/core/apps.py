from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "majlis.core"
    label = "core"
