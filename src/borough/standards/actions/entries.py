"""The action plan's registry entries (pages, API, navigation), its daily reminder job,
and the standards app's own evidence rules."""

from __future__ import annotations

from borough.core.registry import ModelEntry

SECTION = "Standards"


def register(registry) -> None:
    from borough.standards import models as m
    from borough.standards import rules
    from borough.standards.actions import api, filters, forms, services, tables

    registry.register(ModelEntry(
        m.Action, filters.ActionFilterSet, tables.ActionTable, forms.ActionForm,
        api.ActionSerializer, api.ActionViewSet, search_fields=("reference", "title"),
        nav_section=SECTION, nav_order=50, comments=False, attachments=True,
        detail_fields=("reference", "title", "status", "rag", "owner", "due_on", "theme"),
    ))
    registry.register(ModelEntry(
        m.CorporateObjective, filters.CorporateObjectiveFilterSet,
        tables.CorporateObjectiveTable, forms.CorporateObjectiveForm,
        api.CorporateObjectiveSerializer, api.CorporateObjectiveViewSet,
        search_fields=("code", "title"), nav_section=SECTION, nav_order=60,
        detail_fields=("code", "title", "plan", "description", "is_active"),
    ))
    registry.register(ModelEntry(
        m.Target, filters.TargetFilterSet, tables.TargetTable, forms.TargetForm,
        api.TargetSerializer, api.TargetViewSet, search_fields=("code", "title"),
        nav_section=SECTION, nav_order=70,
        detail_fields=("code", "title", "scope", "description", "is_active"),
    ))
    registry.register(ModelEntry(
        m.ReportReview, filters.ReportReviewFilterSet, tables.ReportReviewTable,
        forms.ReportReviewForm, api.ReportReviewSerializer, api.ReportReviewViewSet,
        nav_section=SECTION, nav_order=80, attachments=True,
        detail_fields=("report", "reviewed_on", "meeting", "note"),
    ))
    registry.periodic_jobs["standards-remind-action-owners"] = (
        services.remind_action_owners, 24 * 3600)
    rules.register(registry)
