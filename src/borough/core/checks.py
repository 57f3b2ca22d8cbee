"""`borough check` adds these to Django's system checks."""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks

from borough.core.registry import registry


@checks.register(checks.Tags.models)
def registry_is_complete(app_configs=None, **kwargs):
    problems = []
    for entry in registry.all():
        for part in ("filterset", "table", "form", "serializer", "viewset"):
            if getattr(entry, part) is None:
                problems.append(checks.Error(
                    f"{entry.model._meta.label} is registered without a {part}.",
                    hint="Every registered model needs its list, form and API pieces "
                         "(docs/adding-a-model.md).", id="borough.E001"))
    return problems


@checks.register()
def data_directories_are_writable(app_configs=None, **kwargs):
    problems = []
    for name in ("DATA_DIR", "ATTACHMENTS_ROOT"):
        path = getattr(settings, name)
        parent = path if os.path.exists(path) else os.path.dirname(path)
        if not os.access(parent, os.W_OK):
            problems.append(checks.Error(f"{name} ({path}) is not writable.",
                                         hint="Create it and give the Borough user write access.",
                                         id="borough.E002"))
    return problems
