from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "borough.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from borough.core import checks, roles  # noqa: F401  (registers system checks)
        from borough.core.tasks import register_core_jobs

        register_core_jobs()
        post_migrate.connect(roles.sync_role_permissions_after_migrate, dispatch_uid="sync-roles")
