"""One definition per model for the list page, its exports and the API (STYLE.md 1)."""


import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.cmdb.models import CIClass, DataClassification
from borough.core.filters import WordSearchFilterSet
from borough.library import models as m
from borough.organisation.models import Person

REVIEW_CHOICES = [
    ("due", f"Overdue or due within {m.REMIND_WITHIN_DAYS} days"),
    ("overdue", "Overdue"),
    ("not_due", f"Not due within {m.REMIND_WITHIN_DAYS} days"),
]


class DocumentFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description")
    kind = filters.ChoiceFilter(choices=m.Kind.choices, empty_label="Any kind")
    status = filters.ChoiceFilter(choices=m.DocumentStatus.choices, empty_label="Any status")
    topic = filters.ChoiceFilter(choices=[c for c in m.Topic.choices if c[0]],
                                 empty_label="Any topic")
    classification = filters.ChoiceFilter(choices=DataClassification.choices,
                                          empty_label="Any classification")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    review_due = filters.ChoiceFilter(
        choices=REVIEW_CHOICES, method="filter_review", label="Review",
        empty_label="Any review date",
        help_text="Reviews are counted for published documents only.")
    ci_class = filters.ModelChoiceFilter(
        queryset=CIClass.objects.all(), field_name="links__ci_class", distinct=True,
        label="Linked CI class", empty_label="Any class")
    linked_item = filters.CharFilter(
        method="filter_item", label="Linked configuration item",
        help_text="Its reference, like CI-000123, or part of its name.")

    class Meta:
        model = m.Document
        fields = []

    def filter_review(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        due = queryset.review_due(today)
        if value == "due":
            return due
        return queryset.filter(status=m.DocumentStatus.PUBLISHED).exclude(pk__in=due.values("pk"))

    def filter_item(self, queryset, name, value):
        words = value.strip()
        if not words:
            return queryset
        # A link's item is of its document's organisation (DocumentLink.clean), and the
        # documents are already the visible ones.
        links = m.DocumentLink.objects.filter(
            Q(configuration_item__reference__iexact=words)
            | Q(configuration_item__name__icontains=words))
        return queryset.filter(pk__in=links.values("document_id"))


class DocumentLinkFilterSet(WordSearchFilterSet):
    search_fields = ("document__title", "document__reference", "configuration_item__name",
                     "configuration_item__reference", "ci_class__name",
                     "business_service__name")
    document = filters.ModelChoiceFilter(queryset=m.Document.objects.all())
    ci_class = filters.ModelChoiceFilter(queryset=CIClass.objects.all(), label="CI class",
                                         empty_label="Any class")
    business_service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                                 empty_label="Any service")

    class Meta:
        model = m.DocumentLink
        fields = []


class DocumentVersionFilterSet(WordSearchFilterSet):
    search_fields = ("original_name", "change_note")
    document = filters.ModelChoiceFilter(queryset=m.Document.objects.all())
    published = filters.BooleanFilter(field_name="published_at", lookup_expr="isnull",
                                      exclude=True, label="Published")

    class Meta:
        model = m.DocumentVersion
        fields = []


