from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "majlis.groups"
    label = "groups"
    verbose_name = "Groups"

    def ready(self) -> None:
        from majlis.groups import emails

        emails.register()
