"""The statistics filters (period, service unit, team), read the same way by the page,
its exports and the API."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from borough.core.forms import DateInput
from borough.organisation.models import ServiceUnit, Team
from borough.servicedesk import statistics
from borough.servicedesk.statistics import MAX_PERIOD_DAYS, Period


class StatisticsForm(forms.Form):
    """The period and the optional service unit and team. Empty dates take the default
    period (this ISO week and the 12 before it)."""

    date_from = forms.DateField(
        label="From", required=False, widget=DateInput,
        error_messages={"invalid": "Enter the start date as a real date, like 2025-01-31."})
    date_to = forms.DateField(
        label="To", required=False, widget=DateInput,
        error_messages={"invalid": "Enter the end date as a real date, like 2025-03-31."})
    service_unit = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(), required=False, empty_label="All service units",
        error_messages={"invalid_choice": "Choose a service unit from the list."})
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams",
        error_messages={"invalid_choice": "Choose a team from the list."})

    def __init__(self, data, *, user, today):
        self.user = user
        self.today = today
        self.default = Period.default(today)
        filled = {"date_from": self.default.date_from.isoformat(),
                  "date_to": self.default.date_to.isoformat()}
        filled.update({k: v for k, v in data.items() if v != "" or k not in filled})
        super().__init__(filled)
        # Choices come from what the user may see (SECURITY.md rule 3).
        self.fields["service_unit"].queryset = ServiceUnit.objects.visible_to(user).order_by(
            "name")
        self.fields["team"].queryset = Team.objects.visible_to(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end date must be the same as or after the start "
                                          "date.")
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_to", "Choose a period of 2 years or less.")
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])

    def compute(self) -> statistics.Statistics:
        """The figures for the cleaned filters, as the user may see them."""
        return statistics.compute(self.user, self.period,
                                  service_unit=self.cleaned_data["service_unit"],
                                  team=self.cleaned_data["team"])

    def query(self) -> str:
        """The cleaned filters as a query string, for the export links."""
        data = {"date_from": self.cleaned_data["date_from"].isoformat(),
                "date_to": self.cleaned_data["date_to"].isoformat()}
        for name in ("service_unit", "team"):
            if self.cleaned_data.get(name) is not None:
                data[name] = self.cleaned_data[name].pk
        return urlencode(data)


DENIED = "Only service desk staff and ICT managers can see service desk statistics."


def check_access(user) -> None:
    """Only people who see every ticket of the organisation (SECURITY.md rules 2, 7)."""
    if not statistics.can_view(user):
        raise PermissionDenied(DENIED)


def read_form(params, user) -> StatisticsForm:
    """The filters from a query string, validated; for the page, its exports and the API."""
    form = StatisticsForm(params, user=user, today=timezone.localdate())
    unknown = sorted(set(params) - set(form.fields))
    form.is_valid()
    if unknown:  # SECURITY.md rule 13
        form.add_error(None, f"Unknown parameter {', '.join(unknown)}. Filters here are: "
                             f"{', '.join(form.fields)}.")
    return form
