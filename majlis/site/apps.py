from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The delegates' pages: programme, session page, sign-in, booking, my sessions."""

    name = "majlis.site"
    label = "site"
