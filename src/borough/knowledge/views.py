"""The knowledge base's pages beyond the generic ones: an article's page (its text, the
feedback box, "this answered my question" when the reader came from asking for help, and
its actions), the portal's help page (search the public articles), the suggestions drawn
while a requester types a new request (HTMX, or a page of their own without JavaScript),
and the panels on the portal's pages."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.registry import registry
from borough.core.views.records import ObjectDetailView
from borough.knowledge import models as m
from borough.knowledge import queries, services

QUERY_LIMIT = 300


class ArticleDetailView(ObjectDetailView):
    template_name = "knowledge/article_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "service", "category",
                                                     "created_by", "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        article, user = context["object"], self.request.user
        offers = offered(services.ARTICLE_ACTIONS, article, user, "knowledge:article", forms)
        context["offers"] = offers
        context["record_actions"] = [
            (offer.action, offer.url, offer.form or offer.action.form(record=article,
                                                                      user=user))
            for name, offer in offers.items() if name not in ("feedback", "answered")]
        context["feedback_form"] = (offers["feedback"].form or services.feedback.form(
            record=article, user=user)) if "feedback" in offers else None
        asking = (self.request.GET.get("asking") or "")[:QUERY_LIMIT]
        context["asking"] = asking
        if "answered" in offers and article.audience == m.Audience.PUBLIC and (
                asking or offers["answered"].form is not None):
            context["answered_form"] = offers["answered"].form or services.answered.form(
                record=article, user=user, initial={"words": asking})
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["is_staff_reader"] = user.has_perm(m.VIEW_STAFF)
        return context


def article_page(request, record, *, forms=None, conflict=None, status=200):
    view = ArticleDetailView(entry=registry.get(m.Article))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


def after_answered(record) -> str:
    """A question answered: back to the portal's home (no ticket needed)."""
    return reverse("servicedesk:portal_home")


class ReaderMixin(LoginRequiredMixin):
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope.can(request.user, "view", m.Article,
                                                           None):
            raise PermissionDenied("Your role does not allow you to read articles.")
        return super().dispatch(request, *args, **kwargs)


class HelpView(ReaderMixin, TemplateView):
    """The portal's help articles: search the public ones, or browse the most helpful."""

    template_name = "knowledge/help.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = (self.request.GET.get("q") or "").strip()[:QUERY_LIMIT]
        user = self.request.user
        context["q"] = q
        context["articles"] = (queries.public_suggestions(user, q, limit=20) if q else list(
            m.Article.objects.visible_to(user).public().order_by("-helpful", "title")
            .only("pk", "reference", "title", "summary")[:20]))
        return context


class SuggestView(ReaderMixin, TemplateView):
    """Articles for what a requester is typing (`?title=…&description=…`): the portal's
    form asks as they type (HTMX) and draws the list beside it; without JavaScript the
    "Search help articles" box opens this as a page."""

    template_name = "knowledge/suggest.html"
    partial_template_name = "knowledge/includes/suggestions.html"

    def get(self, request, *args, **kwargs):
        text = " ".join((request.GET.get(name) or "")[:QUERY_LIMIT]
                        for name in ("title", "description", "q")).strip()
        context = {"articles": queries.public_suggestions(request.user, text),
                   "asking": text[:QUERY_LIMIT], "typed": bool(text)}
        template = self.partial_template_name if request.htmx else self.template_name
        response = self.response_class(request, template, context)
        response["Vary"] = "HX-Request"
        return response


def portal_new_panel(subject, user) -> dict | None:
    """Beside the portal's "Ask for help" form: articles suggested as the requester types."""
    if not scope.can(user, "view", m.Article, None):
        return None
    return {"suggest_url": reverse("knowledge:suggest")}


def portal_home_panel(subject, user) -> dict | None:
    """On the portal's home: search the help articles."""
    if not scope.can(user, "view", m.Article, None):
        return None
    return {"help_url": reverse("knowledge:help")}
