from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo conference (the 6th Global Conference on the Elimination of Child
    Labour) and ``majlis demo``, which loads it."""

    name = "majlis.demo"
    label = "demo"
