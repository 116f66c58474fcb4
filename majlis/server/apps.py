from django.apps import AppConfig


class ServerConfig(AppConfig):
    """The server runtime: ``majlis serve``, the email workers (``majlis
    outbox``), the WSGI application and its warm-up."""

    name = "majlis.server"
    label = "server"
