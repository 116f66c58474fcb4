import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view and load every catalogue now, once, in gunicorn's master
    (`majlis serve` preloads the application): otherwise each worker pays for it
    on its first requests, in the middle of the crowd that woke it."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the property imports the views)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sessions")


_warm_up()
