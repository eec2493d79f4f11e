from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "solidaire.common"
    verbose_name = "Solidaire"
