from django.apps import AppConfig


class StsConfig(AppConfig):
    name = "sts"
