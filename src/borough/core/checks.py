"""`borough check` adds these to Django's system checks: every app keeps the one shape
(docs/adding-a-model.md) that the registry, the API, the pages and the test suites rely on.

- borough.E001  a registered model without its filterset, table, form, serializer or viewset
- borough.E002  a data directory Borough cannot write
- borough.E003  a model of a Borough app neither registered nor declared unlisted (and why)
- borough.E004  a role granted a permission no model has
- borough.W005  a registered model without a test factory (checked in a source checkout,
                where tests/ is importable)
- borough.W006  an app importing another app's internals, or importing upwards: another
                app is read through its queries.py, written through its services.py, and
                referred to through its models; `core` knows no domain app

W005 and W006 are about the code, not the running site: warnings, so a deployment still
migrates and serves; the test suite (tests/core/test_checks.py) fails on them.
- borough.E007  a model with record actions whose API viewset does not offer them
"""

from __future__ import annotations

import ast
import importlib.util
import os
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks

from borough.core.registry import registry

# Lower layers never import higher ones (STYLE.md "Boundaries"). An app may import apps
# of a lower layer, and only their models, queries and services.
LAYERS = {"core": 0, "frontend": 0, "organisation": 1, "accounts": 2, "mail": 3,
          "cmdb": 3, "catalogue": 3.5, "library": 3.7, "servicedesk": 4, "status": 4.05,
          "knowledge": 4.1, "problems": 4.2, "changes": 4.4, "commercial": 4.5, "licences": 4.6,
          "releases": 4.7, "capacity": 4.8, "availability": 4.85,
          "standards": 5, "finance": 5.3, "procurement": 5.5, "demo": 9}
PUBLIC_MODULES = {"models", "queries", "services"}


def borough_apps():
    return [c for c in apps.get_app_configs() if c.name.startswith("borough.")]


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


@checks.register(checks.Tags.models)
def every_model_is_declared(app_configs=None, **kwargs):
    problems = []
    for config in borough_apps():
        for model in config.get_models():
            if model not in registry.entries and model not in registry.unlisted:
                problems.append(checks.Error(
                    f"{model._meta.label} is neither registered nor declared unlisted.",
                    hint=f"Register it in {config.name}.entries (registry.register(ModelEntry"
                         "(...))), or say why it has no pages: registry.unlist(model, why).",
                    id="borough.E003"))
    return problems


@checks.register(checks.Tags.models)
def grants_name_real_permissions(app_configs=None, **kwargs):
    known = set()
    for model in apps.get_models():
        opts = model._meta
        known |= {f"{opts.app_label}.{action}_{opts.model_name}"
                  for action in opts.default_permissions}
        known |= {f"{opts.app_label}.{codename}" for codename, _ in opts.permissions}
    return [checks.Error(f"The {role} role is granted {perm}, which no model has.",
                         hint="Grant a model's own permission (registry.grant_models) or one "
                              "its Meta.permissions declares.", id="borough.E004")
            for role, perms in sorted(registry.role_grants.items())
            for perm in sorted(perms - known)]


@checks.register(checks.Tags.models)
def registered_models_have_factories(app_configs=None, **kwargs):
    if importlib.util.find_spec("tests") is None:
        return []  # an installed copy, without the tests
    try:
        from tests.factories import FACTORIES
    except ImportError:
        return []
    return [checks.Warning(f"{entry.model._meta.label} has no test factory.",
                           hint="Add one to tests/<app>/factories.py and to FACTORIES: the "
                                "registry-driven suites make its records.", id="borough.W005")
            for entry in registry.all() if entry.model not in FACTORIES]


@checks.register(checks.Tags.models)
def record_actions_are_on_the_api(app_configs=None, **kwargs):
    problems = []
    for model, actions in registry.record_actions.items():
        entry = registry.entries.get(model)
        viewset = entry.viewset if entry is not None else next(
            (v for _, v, _ in registry.api_routes if getattr(v, "model", None) is model), None)
        if viewset is not None and getattr(viewset, "record_actions", None) is not actions:
            problems.append(checks.Error(
                f"{model._meta.label} has record actions its API viewset does not offer.",
                hint=f"Set record_actions on {viewset.__name__}.", id="borough.E007"))
    return problems


@checks.register()
def app_boundaries(app_configs=None, **kwargs):
    return [checks.Warning(message, hint="Read another app through its queries.py, write "
                                         "through its services.py (STYLE.md, Boundaries).",
                           id="borough.W006")
            for message in boundary_problems()]


@cache
def boundary_problems() -> tuple[str, ...]:
    """Imports that cross an app boundary the wrong way, as messages (computed once)."""
    root = Path(apps.get_app_config("core").path).parent
    found = []
    for app in LAYERS:
        folder = root / app
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else ():
            if "migrations" in path.parts:
                continue
            for line, target in _imports(path):
                problem = _crossing(app, target)
                if problem:
                    found.append(f"{path.relative_to(root.parent)}:{line}: {app} {problem} "
                                 f"({target}).")
    return tuple(found)


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("borough."):
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def _crossing(app: str, target: str) -> str | None:
    parts = target.split(".")
    if len(parts) < 3 or parts[0] != "borough" or parts[1] not in LAYERS or parts[1] == app:
        return None
    other = parts[1]
    if LAYERS[other] > LAYERS[app] or (LAYERS[other] == LAYERS[app] and app != "frontend"):
        return f"imports {other}, which it sits below"
    if other == "core":
        return None
    modules = set(parts[2:])
    if not modules & PUBLIC_MODULES:
        return f"reaches into {other}'s internals"
    return None


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
