"""Every registered model's viewset, at /api/<app>/<models>/."""

from django.utils.text import slugify
from rest_framework.routers import DefaultRouter

from borough.accounts.api import MeViewSet, TokenViewSet
from borough.core.registry import registry
from borough.core.views.jobs import JobStatusViewSet

router = DefaultRouter()
for entry in registry.all():
    if entry.viewset is not None:
        plural = slugify(entry.verbose_name_plural)
        router.register(f"{entry.app_label}/{plural}", entry.viewset,
                        basename=f"{entry.app_label}-{entry.model_name}")
for prefix, viewset, basename in registry.api_routes:
    router.register(prefix, viewset, basename=basename)
router.register("accounts/me", MeViewSet, basename="accounts-me")
router.register("accounts/tokens", TokenViewSet, basename="accounts-token")
router.register("core/jobs", JobStatusViewSet, basename="core-jobs")
