from importlib import import_module

from django.apps import AppConfig


class DomainAppConfig(AppConfig):
    """Every Borough app: its `entries.py` declares, in one `register(registry)`, what it
    adds to the registry (models, menu links, API routes, role grants, jobs, evidence
    rules). Registration happens here, in ready(), never at import time.

    Each app's subclass says `default = True`: apps.py imports this class too, and Django
    picks the one config class of a module marked default."""

    default = False

    def ready(self):
        from borough.core.registry import registry

        import_module(f"{self.name}.entries").register(registry)


class CoreConfig(DomainAppConfig):
    default = True
    name = "borough.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from borough.core import checks, roles  # noqa: F401  (registers system checks)
        from borough.core.perf import pgtypes

        super().ready()
        post_migrate.connect(roles.sync_role_permissions_after_migrate, dispatch_uid="sync-roles")
        connection_created.connect(pgtypes.install, dispatch_uid="c-timestamps")
