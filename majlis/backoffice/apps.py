from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "majlis.backoffice"
    label = "backoffice"

    def ready(self) -> None:
        from majlis.accounts.signals import participants_erased
        from majlis.backoffice import emails
        from majlis.backoffice.erasure import replace_erased_addresses
        from majlis.backoffice.import_previews import import_preview_purge_expired
        from majlis.core.housekeeping import register_chore

        emails.register()
        register_chore("expired import previews", import_preview_purge_expired)
        participants_erased.connect(
            replace_erased_addresses, dispatch_uid="backoffice-erased-addresses"
        )
