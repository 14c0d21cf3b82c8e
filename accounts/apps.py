from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.backends import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="accounts.count_failed_login")
