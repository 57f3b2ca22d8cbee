"""The API's routes, all from the registry: every registered model's viewset at
/api/<app>/<models>/, then the routes apps declare in their entries.py."""

from django.utils.text import slugify

from borough.core.api.routers import Router
from borough.core.registry import registry

router = Router()
for entry in registry.all():
    if entry.viewset is not None:
        plural = slugify(entry.verbose_name_plural)
        router.register(f"{entry.app_label}/{plural}", entry.viewset,
                        basename=f"{entry.app_label}-{entry.model_name}")
for prefix, viewset, basename in registry.api_routes:
    router.register(prefix, viewset, basename=basename)
