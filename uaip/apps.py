from django.apps import AppConfig


class UaipConfig(AppConfig):
    name = "uaip"
    verbose_name = "UAIP"
