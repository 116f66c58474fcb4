from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "majlis.accounts"
    label = "accounts"

    def ready(self) -> None:
        from majlis.accounts import emails

        emails.register()
