from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "majlis.backoffice"
    label = "backoffice"

    def ready(self) -> None:
        from majlis.backoffice import emails

        emails.register()
