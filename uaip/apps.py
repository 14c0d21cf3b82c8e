from django.apps import AppConfig


class UaipConfig(AppConfig):
    name = "uaip"
    verbose_name = "UAIP"

    def ready(self) -> None:
        from uaip.logging import connect_request_line

        connect_request_line()
