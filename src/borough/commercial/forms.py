import uuid

from django import forms
from django.utils import timezone

from borough.commercial import models as m
from borough.core.actions import ActionForm
from borough.core.forms import DateInput, ScopedModelForm


class SupplierCategoryForm(ScopedModelForm):
    class Meta:
        model = m.SupplierCategory
        fields = ["name", "description"]


class SupplierForm(ScopedModelForm):
    website = forms.URLField(required=False, assume_scheme="https",
                             help_text="For example https://www.supplier.co.uk")

    class Meta:
        model = m.Supplier
        fields = ["name", "company_number", "website", "address", "categories", "status",
                  "criticality", "risk", "manager", "review_every_months", "notes"]


class SupplierContactForm(ScopedModelForm):
    class Meta:
        model = m.SupplierContact
        fields = ["supplier", "name", "role", "email", "phone", "is_primary"]


class ContractForm(ScopedModelForm):
    class Meta:
        model = m.Contract
        fields = ["title", "supplier", "kind", "description", "owner", "annual_value",
                  "whole_life_value", "start_date", "end_date", "renewal_terms",
                  "renewal_months", "notice_period", "notice_unit", "notice_given_on",
                  "procurement_route", "procurement_reference", "support_hours",
                  "response_times"]


class ContractCoverForm(ScopedModelForm):
    class Meta:
        model = m.ContractCover
        fields = ["contract", "configuration_item", "service", "note"]


class CommercialSettingsForm(ScopedModelForm):
    class Meta:
        model = m.CommercialSettings
        fields = ["alert_days"]


class ReviewCriterionForm(ScopedModelForm):
    class Meta:
        model = m.ReviewCriterion
        fields = ["name", "description", "position", "is_active"]


class SupplierReviewForm(ScopedModelForm):
    class Meta:
        model = m.SupplierReview
        fields = ["supplier", "held_on", "reviewer", "contracts", "service_levels", "actions",
                  "summary"]


class SupplierReviewScoreForm(ScopedModelForm):
    class Meta:
        model = m.SupplierReviewScore
        fields = ["review", "criterion", "score", "comment"]


class UncontractedSystemForm(ScopedModelForm):
    class Meta:
        model = m.UncontractedSystem
        fields = ["configuration_item", "reason", "explanation", "review_by"]


# --- record actions -----------------------------------------------------------------------


class GiveNoticeForm(ActionForm):
    given_on = forms.DateField(
        label="Notice given on", required=False, widget=DateInput(),
        help_text="The day the supplier was told. Leave blank for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["given_on"].initial = timezone.localdate()


class AgreeRenewalForm(ActionForm):
    agreed_on = forms.DateField(
        label="Decided on", required=False, widget=DateInput(),
        help_text="The day the council decided to keep the contract. Leave blank for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["agreed_on"].initial = timezone.localdate()


# --- recording a supplier review ------------------------------------------------------------

SCORE_CHOICES = [("", "Not scored"), *[(str(v), label) for v, label in m.Score.choices]]


class RecordReviewForm(ScopedModelForm):
    """A review with a score and a comment for each of the council's active criteria
    (fields score_<id> and comment_<id>, made from the criteria)."""

    class Meta:
        model = m.SupplierReview
        fields = ["held_on", "reviewer", "contracts", "service_levels", "actions", "summary"]

    def __init__(self, *args, supplier=None, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier, self.criteria = supplier, list(criteria)
        if supplier is not None:
            self.fields["contracts"].queryset = self.fields["contracts"].queryset.filter(
                supplier=supplier)
        self.fields["contracts"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["contracts"].choices)
        self.fields["contracts"].help_text = "The contracts whose service levels were gone through."
        if not self.is_bound and not self.initial.get("held_on"):
            self.initial["held_on"] = timezone.localdate()  # the instance's None would win
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name, choices=SCORE_CHOICES, coerce=int, required=False,
                empty_value=None, help_text=criterion.description)
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.name.lower()}", required=False, max_length=500)

    def scores(self) -> dict[int, tuple[int, str]]:
        found = {}
        for criterion in self.criteria:
            score = self.cleaned_data.get(f"score_{criterion.pk}")
            comment = (self.cleaned_data.get(f"comment_{criterion.pk}") or "").strip()
            if score is not None:
                found[criterion.pk] = (score, comment)
        return found

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            if (cleaned.get(f"comment_{criterion.pk}") or "").strip() and cleaned.get(
                    f"score_{criterion.pk}") is None:
                self.add_error(f"score_{criterion.pk}",
                               f"Give a score for {criterion.name.lower()}, or leave its comment "
                               "blank.")
        return cleaned


class FeedForm(forms.Form):
    """Making a calendar address: nothing to type, a button (and the key that makes a
    form sent twice make one address)."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex
