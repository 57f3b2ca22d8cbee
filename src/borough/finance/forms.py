from __future__ import annotations

import re

from django import forms

from borough.core.forms import ScopedModelForm
from borough.core.money import pence
from borough.finance import models as m
from borough.finance import years


class YearField(forms.TypedChoiceField):
    """A financial year chosen by its label (2025/26), stored as the year it starts in.
    `blank`: the label of the choice of none (optional then)."""

    def __init__(self, *, blank: str = "", **kwargs):
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("help_text", "April to March.")
        choices = (lambda: [("", blank), *years.choices()]) if blank else years.choices
        if blank:
            kwargs.update(required=False, empty_value=None)
        super().__init__(choices=choices, coerce=int, **kwargs)


class CostCentreForm(ScopedModelForm):
    class Meta:
        model = m.CostCentre
        fields = ["code", "name", "service_unit", "is_active"]


class ProfileField(forms.CharField):
    """Twelve monthly amounts, April to March, separated by commas, spaces or lines; blank
    spreads the budget evenly."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = (value or "").strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[,\s;]+", text.replace("£", "")) if p]
        try:
            return [str(pence(p)) for p in parts]
        except ValueError as error:
            raise forms.ValidationError("Give each month as an amount in pounds, like "
                                        "1250.00, separated by commas.") from error


class BudgetForm(ScopedModelForm):
    year = YearField()
    monthly_profile = ProfileField(
        required=False, label="Monthly profile (optional)",
        help_text="Twelve amounts, April to March, separated by commas, adding up to the "
                  "budget. Leave blank to spread it evenly over the months.")

    class Meta:
        model = m.Budget
        fields = ["year", "cost_centre", "amount", "monthly_profile", "note"]


class CostLineForm(ScopedModelForm):
    class Meta:
        model = m.CostLine
        fields = ["date", "amount", "description", "cost_centre", "supplier",
                  "transaction_reference", "configuration_item", "service", "contract"]


class CommitmentForm(ScopedModelForm):
    year = YearField()

    class Meta:
        model = m.Commitment
        fields = ["year", "cost_centre", "amount", "description", "date", "status",
                  "source_reference"]


class CostPoolForm(ScopedModelForm):
    year = YearField()

    class Meta:
        model = m.CostPool
        fields = ["year", "name", "description", "basis", "cost_centres", "amount"]


class PoolShareForm(ScopedModelForm):
    class Meta:
        model = m.PoolShare
        fields = ["pool", "service_unit", "percent"]


class BudgetReviewForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note (optional)",
                           help_text="What you found: an overspend to act on, a line to "
                                     "allocate.")


class YearChoiceForm(forms.Form):
    year = forms.CharField(label="Financial year", required=False,
                           help_text="Like 2025/26.")

    def chosen(self, default: years.FinancialYear) -> years.FinancialYear:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["year"]:
            return default
        return self.cleaned_data["year"]

    def clean_year(self):
        text = self.cleaned_data["year"]
        if not text:
            return None
        try:
            return years.FinancialYear.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class RechargeRunForm(forms.Form):
    year = YearField()

    def __init__(self, *args, issued=(), **kwargs):
        """`issued`: the start years whose recharge is issued (final), not offered; one
        posted all the same gets the service's refusal, which says when it was issued."""
        super().__init__(*args, **kwargs)
        if issued and not self.is_bound:
            field = self.fields["year"]
            field.choices = [(value, label) for value, label in field.choices
                             if value not in issued]
            named = ", ".join(str(years.FinancialYear(y)) for y in sorted(issued))
            field.help_text = f"April to March. Issued, and so final: {named}."



class FinanceSettingsForm(ScopedModelForm):
    class Meta:
        model = m.FinanceSettings
        fields = ["staff_hourly_rate"]


class TeamStaffRateForm(ScopedModelForm):
    year = YearField(blank="Every year without a rate of its own",
                     help_text="April to March. Time is priced at the rate of the year it "
                               "was worked in.")

    class Meta:
        model = m.TeamStaffRate
        fields = ["team", "year", "hourly_rate"]
