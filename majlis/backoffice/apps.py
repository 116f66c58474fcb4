from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "majlis.backoffice"
    label = "backoffice"
