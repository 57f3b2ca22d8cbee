"""What the knowledge base adds to the registry: articles (staff and public), the feedback
on them and the deflections counted; who may read and write them; the article's record
actions and version history; its review reminders; the portal's panels."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry
from borough.knowledge import api, filters, forms, notices, services, tables, views
from borough.knowledge import models as m

SECTION = "Problems"
WRITERS = [roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.ICT_MANAGER,
           roles.ADMINISTRATOR]


def register(registry) -> None:
    registry.add_notification_events("knowledge", notices.EVENTS)
    registry.register(ModelEntry(
        m.Article, filters.ArticleFilterSet, tables.ArticleTable, forms.ArticleForm,
        api.ArticleSerializer, api.ArticleViewSet,
        search_fields=("reference", "title", "summary", "keywords"), nav_section=SECTION,
        nav_order=40, attachments=True,
        detail_fields=("reference", "status", "audience", "summary", "owner", "review_on",
                       "service", "category", "keywords", "published_at")))
    registry.register(ModelEntry(
        m.ArticleFeedback, filters.ArticleFeedbackFilterSet, tables.ArticleFeedbackTable,
        forms.ArticleFeedbackForm, api.ArticleFeedbackSerializer, api.ArticleFeedbackViewSet,
        search_fields=("comment",),
        detail_fields=("article", "helpful", "comment", "created_at")))
    registry.register(ModelEntry(
        m.Deflection, filters.DeflectionFilterSet, tables.DeflectionTable,
        forms.DeflectionForm, api.DeflectionSerializer, api.DeflectionViewSet,
        search_fields=("words",), detail_fields=("article", "words", "created_at")))
    registry.keep_versions(m.Article, m.ArticleVersion)

    # Staff read every article; requesters the published public ones (ArticleQuerySet).
    registry.grant_models([*roles.READ_ALL_ROLES, roles.REQUESTER], [m.Article], ("view",))
    for role in roles.READ_ALL_ROLES:
        registry.grant(role, [m.VIEW_STAFF])
    for role in roles.ALL_ROLES:
        if role != roles.AUDITOR:  # the auditor changes nothing (SECURITY.md rule 6)
            registry.grant(role, [m.GIVE_FEEDBACK])
    registry.grant_models(WRITERS, [m.Article], ("add", "change"))
    registry.grant_models([roles.ICT_MANAGER, roles.ADMINISTRATOR], [m.Article], ("delete",))
    # Feedback and deflections are made by the article's actions (which keep its counts).
    registry.grant_models(roles.READ_ALL_ROLES, [m.ArticleFeedback, m.Deflection], ("view",))
    # The administrator corrects anything (a feedback given by mistake).
    registry.grant_models(roles.ADMINISTRATOR, [m.ArticleFeedback, m.Deflection],
                          ("add", "change", "delete"))
    registry.add_actions(services.ARTICLE_ACTIONS)
    registry.periodic_jobs["knowledge-review-reminders"] = (services.remind_review_owners,
                                                            24 * 3600)
    registry.add_page_panel("servicedesk.portal_new", DetailPanel(
        "knowledge-suggestions", "knowledge/includes/portal_new_panel.html",
        views.portal_new_panel, order=10))
    registry.add_page_panel("servicedesk.portal_home", DetailPanel(
        "knowledge-help", "knowledge/includes/portal_home_panel.html",
        views.portal_home_panel, order=20))
