"""The knowledge API: one explicit serializer and viewset per model. An article's actions
(publish, retire, review, feedback, answered) are record actions (core.api.actions)."""

from __future__ import annotations

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.knowledge import filters as f
from borough.knowledge import models as m
from borough.knowledge import services


class ArticleSerializer(BaseModelSerializer):
    class Meta:
        model = m.Article
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "summary", "body",
                  "keywords", "audience", "status", "owner", "review_on", "service",
                  "category", "published_at", "helpful", "not_helpful"]
        read_only_fields = ["reference", "status", "published_at", "helpful", "not_helpful"]


class ArticleFeedbackSerializer(BaseModelSerializer):
    class Meta:
        model = m.ArticleFeedback
        fields = [*BaseModelSerializer.base_fields(), "article", "helpful", "comment"]


class DeflectionSerializer(BaseModelSerializer):
    class Meta:
        model = m.Deflection
        fields = [*BaseModelSerializer.base_fields(), "article", "words"]


class ArticleViewSet(BaseModelViewSet):
    model = m.Article
    serializer_class = ArticleSerializer
    filterset_class = f.ArticleFilterSet
    ordering_fields = ("reference", "title", "review_on", "helpful", "id")
    select_related = ("owner", "service", "category")
    record_actions = services.ARTICLE_ACTIONS
    result_serializers = {m.ArticleFeedback: ArticleFeedbackSerializer,
                          m.Deflection: DeflectionSerializer}


class ArticleFeedbackViewSet(BaseModelViewSet):
    model = m.ArticleFeedback
    serializer_class = ArticleFeedbackSerializer
    filterset_class = f.ArticleFeedbackFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("article",)


class DeflectionViewSet(BaseModelViewSet):
    model = m.Deflection
    serializer_class = DeflectionSerializer
    filterset_class = f.DeflectionFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("article",)
