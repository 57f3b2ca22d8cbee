from __future__ import annotations

from django import forms

from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import ContractKind, NoticeUnit, ProcurementRoute, RenewalTerms, Supplier
from borough.core.actions import ActionForm
from borough.core.forms import DateInput, ScopedModelForm, SuggestedRecordField, suggest_url_for
from borough.organisation.models import Person
from borough.procurement import models as m

NOTE_LIMIT = 20_000


class ApprovalStepForm(ScopedModelForm):
    class Meta:
        model = m.ApprovalStep
        fields = ["name", "up_to", "approver_role", "approvers", "approvals_needed",
                  "remind_after_days"]

    def clean(self):
        cleaned = super().clean()
        for name, message in m.check_approvers(cleaned.get("approver_role"),
                                               cleaned.get("approvers"),
                                               cleaned.get("approvals_needed")).items():
            self.add_error(name, message)
        return cleaned


class ProcurementRequestForm(ScopedModelForm):
    class Meta:
        model = m.ProcurementRequest
        fields = ["title", "description", "justification", "service_unit", "requester",
                  "owner", "objectives", "standards", "funding_source", "financial_year",
                  "cost_centre", "needed_by"]
        widgets = {"objectives": forms.CheckboxSelectMultiple,
                   "standards": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The requester defaults to the person signed in (their directory entry).
        if not self.instance.pk and not self.is_bound and self.user is not None:
            me = Person.objects.filter(organisation_id=self.instance.organisation_id,
                                       user=self.user).first()
            if me is not None:
                self.initial.setdefault("requester", me.pk)
        self.fields["objectives"].queryset = self.fields["objectives"].queryset.filter(
            is_active=True)


class ProcurementOptionForm(ScopedModelForm):
    class Meta:
        model = m.ProcurementOption
        fields = ["request", "description", "provider", "supplier", "whole_life_cost",
                  "annual_cost", "term_months", "benefits", "risks", "is_recommended"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["request"].disabled = True
            self.fields["request"].help_text = "An option stays with its request."
        else:
            # Only requests whose business case can still change take new options (one
            # waiting for approval goes back to draft when it does).
            self.fields["request"].queryset = self.fields["request"].queryset.filter(
                status__in=(*m.EDITABLE, *m.WAITING))

    def _get_validation_exclusions(self):
        # Recommending an option takes the recommendation from the others when it is saved
        # (services.save_option): not a uniqueness error on the form.
        return super()._get_validation_exclusions() | {"is_recommended"}


class ProcurementExceptionForm(ScopedModelForm):
    class Meta:
        model = m.ProcurementException
        fields = ["contract", "reason", "agreed_by", "agreed_on"]


# --- record actions ------------------------------------------------------------------------

class NoteForm(ActionForm):
    note = forms.CharField(label="Note (optional)", required=False, max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(ActionForm):
    note = forms.CharField(
        label="Comments (optional)", required=False, max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you weighed, or conditions of your approval. Kept with the decision.")


class DelegateForm(ActionForm):
    """Handing one's decision at the step whose turn it is to a deputy."""

    deputy = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Deputy",
        help_text="Someone with a login to Borough whose role lets them read procurement "
                  "requests. They decide this step in your place; you no longer do.",
        error_messages={"required": "Choose the deputy who decides in your place.",
                        "invalid_choice": "Choose a deputy from the list."})
    note = forms.CharField(label="Note (optional)", required=False, max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Why, or what they should know. The deputy reads it.")

    def __init__(self, data=None, files=None, *, record=None, user=None, **kwargs):
        super().__init__(data, files, record=record, user=user, **kwargs)
        if user is not None:
            self.fields["deputy"].queryset = (Person.objects.visible_to(user)
                                              .filter(user__is_active=True)
                                              .exclude(user=user).order_by("full_name"))


class ReasonForm(ActionForm):
    """Refusing or returning a request: the reason is required."""

    note = forms.CharField(label="Reason", max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Give the reason: the person who "
                                                      "raised it reads it."})


class ContractForm(ActionForm):
    """The contract an approved request becomes, filled in from the request and its
    recommended option: check it, add what only the contract says, save. Everything left
    out is taken from the request (the API may send nothing)."""

    carries_version = True

    title = forms.CharField(max_length=200, required=False)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), required=False,
                                      help_text="The recommended option's supplier, unless "
                                                "you choose another.")
    kind = forms.ChoiceField(choices=ContractKind.choices, required=False)
    start_date = forms.DateField(required=False, widget=DateInput)
    end_date = forms.DateField(required=False, widget=DateInput,
                               help_text="From the start date and the option's term.")
    annual_value = forms.DecimalField(label="Annual value (£)", required=False,
                                      max_digits=14, decimal_places=2, min_value=0)
    whole_life_value = forms.DecimalField(label="Whole-life value (£)", required=False,
                                          max_digits=14, decimal_places=2, min_value=0)
    renewal_terms = forms.ChoiceField(choices=RenewalTerms.choices, required=False)
    renewal_months = forms.IntegerField(label="Renews for (months)", required=False,
                                        min_value=1, max_value=120)
    notice_period = forms.IntegerField(required=False, min_value=0, max_value=1000)
    notice_unit = forms.ChoiceField(choices=NoticeUnit.choices, required=False)
    procurement_route = forms.ChoiceField(choices=[("", "Not said"),
                                                   *ProcurementRoute.choices],
                                          required=False)
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False,
                                   label="Contract owner")
    configuration_item = SuggestedRecordField(
        noun="configuration item", label="What it covers (optional)",
        help_text="A system or other configuration item already in the CMDB.")
    new_application = forms.CharField(
        label="Or a new application (optional)", required=False, max_length=200,
        help_text="The name of the system it buys, if it is not in the CMDB yet: it is "
                  "added as a planned application.")

    def __init__(self, data=None, files=None, *, record=None, user=None, **kwargs):
        super().__init__(data, files, record=record, user=user, **kwargs)
        if user is not None:
            self.fields["supplier"].queryset = Supplier.objects.visible_to(user)
            self.fields["owner"].queryset = Person.objects.visible_to(user)
            self.fields["configuration_item"].queryset = ConfigurationItem.objects.visible_to(
                user)
        url = suggest_url_for(ConfigurationItem)
        if url is not None:
            self.fields["configuration_item"].widget.attrs["data-borough-suggest"] = url
        if record is not None and not self.is_bound:
            from borough.procurement.services import contract_defaults

            defaults = contract_defaults(record)
            for name, value in defaults.items():
                if name in self.fields:
                    self.fields[name].initial = getattr(value, "pk", value)

    def service_fields(self) -> dict:
        # Only what was given: the service fills the rest from the request.
        return {k: v for k, v in super().service_fields().items()
                if v not in (None, "")}
