"""Framework pages: the loaded frameworks, and one framework's themes, standards and
criteria per level. Read-only: frameworks are written only by the loader."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.views import View

from borough.core import scope
from borough.core.registry import registry
from borough.standards.framework.api import LEVEL_LABELS
from borough.standards.models import Criterion, Framework, Standard, Theme


class FrameworkAccessMixin(LoginRequiredMixin):
    """Anyone whose role in the active organisation may view frameworks (SECURITY.md 7)."""

    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope.can(request.user, "view", Framework, None):
            raise PermissionDenied("Your role does not allow you to view frameworks.")
        return super().dispatch(request, *args, **kwargs)


class FrameworkListView(FrameworkAccessMixin, View):
    def get(self, request):
        frameworks = list(
            Framework.objects.visible_to(request.user)
            .annotate(theme_count=Count("themes", distinct=True),
                      standard_count=Count("standards", distinct=True),
                      criterion_count=Count("standards__criteria", distinct=True))
            .order_by("name", "code", "-version")
        )
        latest: dict[str, int] = {}
        for framework in frameworks:
            latest[framework.code] = max(latest.get(framework.code, 0), framework.version)
        for framework in frameworks:
            framework.is_latest = framework.version == latest[framework.code]
        return render(request, "standards/framework/framework_list.html",
                      {"frameworks": frameworks})


@dataclass
class CriterionRow:
    criterion: Criterion
    level_label: str
    rule_title: str
    params_text: str


class FrameworkDetailView(FrameworkAccessMixin, View):
    def get(self, request, pk):
        visible = Framework.objects.visible_to(request.user)
        framework = get_object_or_404(visible, pk=pk)
        themes = list(
            Theme.objects.visible_to(request.user).filter(framework=framework)
            .order_by("order", "code")
            .prefetch_related(Prefetch(
                "standards",
                queryset=Standard.objects.order_by("order", "code").prefetch_related(
                    Prefetch("criteria", queryset=Criterion.objects.order_by("level", "order",
                                                                             "code"))))))
        counts = {"standards": 0, "criteria": 0, "evidence": 0, "added": 0}
        for theme in themes:
            for standard in theme.standards.all():
                counts["standards"] += 1
                standard.rows = [self.row(c) for c in standard.criteria.all()]
                counts["criteria"] += len(standard.rows)
                counts["evidence"] += sum(1 for r in standard.rows if r.criterion.rule)
                counts["added"] += sum(1 for r in standard.rows if r.criterion.added)
        versions = list(visible.filter(code=framework.code).order_by("-version"))
        newer = [v for v in versions if v.version > framework.version]
        context = {
            "framework": framework,
            "themes": themes,
            "counts": counts,
            "versions": versions,
            "latest": newer[0] if newer else None,
            "details": [
                ("Code", framework.code),
                ("Version", framework.version),
                ("Source", framework.source),
                ("Loaded", f"{framework.loaded_at:%d %B %Y at %H:%M}"
                           + (f" by {framework.loaded_by}" if framework.loaded_by else "")),
                ("Contents", f"{len(themes)} themes, {counts['standards']} standards, "
                             f"{counts['criteria']} criteria ({counts['evidence']} checked from "
                             f"live evidence, {counts['added']} added where the source is "
                             f"silent)"),
                ("File fingerprint (SHA-256)", framework.sha256),
            ],
        }
        return render(request, "standards/framework/framework_detail.html", context)

    @staticmethod
    def row(criterion: Criterion) -> CriterionRow:
        rule = registry.evidence_rules.get(criterion.rule) if criterion.rule else None
        title = getattr(rule, "title", "") or criterion.rule
        params = "; ".join(f"{k}: {json.dumps(v)}" for k, v in (criterion.params or {}).items())
        return CriterionRow(criterion, LEVEL_LABELS.get(criterion.level, str(criterion.level)), title,
                            params)
