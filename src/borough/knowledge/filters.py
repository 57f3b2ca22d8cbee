"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.core.filters import WordSearchFilterSet
from borough.knowledge import models as m
from borough.organisation.models import Person


class ArticleFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "summary", "keywords", "body")
    status = filters.MultipleChoiceFilter(choices=m.Status.choices)
    audience = filters.ChoiceFilter(choices=m.Audience.choices, empty_label="Any audience")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    review_before = filters.DateFilter(field_name="review_on", lookup_expr="lte",
                                       label="Review due by")

    class Meta:
        model = m.Article
        fields = []


class ArticleFeedbackFilterSet(WordSearchFilterSet):
    search_fields = ("comment", "article__reference", "article__title")
    article = filters.ModelChoiceFilter(queryset=m.Article.objects.all(),
                                        empty_label="Any article")
    helpful = filters.BooleanFilter()

    class Meta:
        model = m.ArticleFeedback
        fields = []


class DeflectionFilterSet(WordSearchFilterSet):
    search_fields = ("words", "article__reference", "article__title")
    article = filters.ModelChoiceFilter(queryset=m.Article.objects.all(),
                                        empty_label="Any article")
    since = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                               label="On or after")

    class Meta:
        model = m.Deflection
        fields = []
