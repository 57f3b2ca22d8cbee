import django_filters as filters

from borough.cmdb.models import DirectorySource, DiscoveryRun, RunOutcome, Trigger
from borough.core.filters import ScopedFilterSet, WordSearchFilterSet


class DirectorySourceFilterSet(WordSearchFilterSet):
    search_fields = ("name", "base_dn")

    class Meta:
        model = DirectorySource
        fields = ["is_enabled"]


class DiscoveryRunFilterSet(ScopedFilterSet):
    """The runs page and /api/cmdb/discovery-runs/."""

    source = filters.ModelChoiceFilter(queryset=DirectorySource.objects.all(),
                                       empty_label="Any source")
    outcome = filters.ChoiceFilter(choices=RunOutcome.choices, empty_label="Any outcome")
    trigger = filters.ChoiceFilter(choices=Trigger.choices, label="How it started",
                                   empty_label="Either")

    class Meta:
        model = DiscoveryRun
        fields = []
