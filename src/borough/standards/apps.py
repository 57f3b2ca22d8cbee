from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "borough.standards"
    label = "standards"
    verbose_name = "Standards and action plan"

    def ready(self):
        from borough.standards import registration

        registration.register()
