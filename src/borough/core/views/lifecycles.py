"""The lifecycles page: each declared lifecycle's diagram and its text equivalent, for
the staff who run the processes and the administrators who set them up."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from borough.core import diagrams, scope
from borough.core.management.commands.lifecycles import lifecycles


class LifecyclesView(LoginRequiredMixin, TemplateView):
    permission_action = "view"
    template_name = "core/lifecycles.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["lifecycles"] = [
            {"title": title, "rows": lifecycle.rows(),
             # Drawn by diagrams.svg from the declaration; every text in it is escaped.
             "svg": mark_safe(diagrams.svg(lifecycle, title=title))}  # noqa: S308
            for model, lifecycle, title in lifecycles()
            if scope.can(user, "view", model, None)
        ]
        return context
