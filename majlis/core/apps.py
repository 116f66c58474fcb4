from django.apps import AppConfig
from django.contrib.staticfiles import apps as staticfiles_apps


class CoreConfig(AppConfig):
    name = "majlis.core"
    label = "core"


class StaticFilesConfig(staticfiles_apps.StaticFilesConfig):
    """collectstatic as Django's, leaving out the ReDoc bundle django-ninja
    ships beside Swagger UI: the API reference uses Swagger UI only, and
    compressing ReDoc's 4 MB (with its source map) took most of the time
    `majlis serve` spends collecting static files before it answers."""

    ignore_patterns = [
        *staticfiles_apps.StaticFilesConfig.ignore_patterns,
        "redoc.standalone.js*",
    ]
