from django.apps import AppConfig


class AwsqueryConfig(AppConfig):
    name = "awsquery"
