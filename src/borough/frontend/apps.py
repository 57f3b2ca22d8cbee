from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "borough.frontend"
    label = "frontend"
    verbose_name = "Front end"
