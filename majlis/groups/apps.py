from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "majlis.groups"
    label = "groups"
    verbose_name = "Groups"

    def ready(self) -> None:
        from majlis.accounts.signals import participants_erased
        from majlis.bookings.personal_data import register_personal_data_section
        from majlis.groups import emails, personal_data

        emails.register()
        register_personal_data_section(
            "topic_preferences", personal_data.topic_preferences_section
        )
        register_personal_data_section("group_seats", personal_data.group_seats_section)
        participants_erased.connect(
            personal_data.erase_topic_preferences,
            dispatch_uid="groups-erased-topic-preferences",
        )
