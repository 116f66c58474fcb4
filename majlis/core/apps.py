from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "majlis.core"
    label = "core"

    def ready(self) -> None:
        from majlis.core import checks  # noqa: F401  (registers them)
