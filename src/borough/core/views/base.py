from __future__ import annotations

from functools import cache

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import NoReverseMatch, reverse

from borough.core import scope
from borough.core.registry import ModelEntry


class EntryViewMixin(LoginRequiredMixin):
    """A view over one registered model. `permission_action` is declared by every
    view (SECURITY.md rule 7) and checked against the role in the active organisation."""

    entry: ModelEntry = None
    permission_action: str = "view"

    @property
    def model(self) -> type[models.Model]:
        return self.entry.model

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not scope.can(request.user, self.permission_action, self.model, None):
            raise PermissionDenied(
                f"Your role does not allow you to {self.permission_action} "
                f"{self.entry.verbose_name_plural}."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user, self.permission_action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entry"] = self.entry
        context["opts"] = self.model._meta
        context["can"] = {
            action: scope.can(self.request.user, action, self.model, None)
            and has_page(self.entry, action)
            for action in ("add", "change", "delete")
        }
        return context


# The page each action's link leads to, with a stand-in key for the record pages.
ACTION_PAGES = {"add": ("add", ()), "change": ("edit", (1,)), "delete": ("delete", (1,))}


def has_page(entry: ModelEntry, action: str) -> bool:
    """Whether the model has a page for `action`. A read-only log (the sent emails) has
    none, yet a superuser holds every permission, so permission alone would offer a link
    that cannot be built."""
    return _has_page(entry.app_label, entry.model_name, action)


@cache  # the URL patterns are fixed for the process's life: asked once, not per request
def _has_page(app_label: str, model_name: str, action: str) -> bool:
    suffix, args = ACTION_PAGES[action]
    try:
        reverse(f"{app_label}:{model_name}_{suffix}", args=args)
    except NoReverseMatch:
        return False
    return True
