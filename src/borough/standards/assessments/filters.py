"""One filter definition per model: the list page, its export and the API use these."""

import django_filters as filters

from borough.core.filters import ScopedFilterSet
from borough.standards import models as m


class AssessmentCycleFilterSet(ScopedFilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    status = filters.ChoiceFilter(choices=m.CycleStatus.choices, empty_label="Any status")
    framework = filters.ModelChoiceFilter(queryset=m.Framework.objects.all(),
                                          empty_label="Any framework")

    class Meta:
        model = m.AssessmentCycle
        fields = ["q", "status", "framework"]


class RatingFilterSet(ScopedFilterSet):
    cycle = filters.ModelChoiceFilter(queryset=m.AssessmentCycle.objects.all())
    standard = filters.ModelChoiceFilter(queryset=m.Standard.objects.all())
    theme = filters.ModelChoiceFilter(field_name="standard__theme", queryset=m.Theme.objects.all())
    standard_code = filters.CharFilter(field_name="standard__code", label="Standard code")

    class Meta:
        model = m.StandardAssessment
        fields = ["cycle", "standard", "theme", "standard_code"]


class CriterionResultFilterSet(ScopedFilterSet):
    rating = filters.ModelChoiceFilter(queryset=m.StandardAssessment.objects.all())
    cycle = filters.ModelChoiceFilter(field_name="rating__cycle",
                                      queryset=m.AssessmentCycle.objects.all())

    class Meta:
        model = m.CriterionResult
        fields = ["rating", "cycle"]


class EvidenceFilterSet(ScopedFilterSet):
    rating = filters.ModelChoiceFilter(queryset=m.StandardAssessment.objects.all())
    cycle = filters.ModelChoiceFilter(field_name="rating__cycle",
                                      queryset=m.AssessmentCycle.objects.all())

    class Meta:
        model = m.Evidence
        fields = ["rating", "cycle"]
