"""The WSGI application Granian serves (``majlis serve``): majlis/server/wsgi.py."""

from majlis.server.wsgi import application

__all__ = ["application"]
