from django import forms

from borough.catalogue import models as m
from borough.cmdb.models import Criticality
from borough.core.actions import ActionForm
from borough.core.forms import ScopedModelForm


class BusinessServiceForm(ScopedModelForm):
    class Meta:
        model = m.BusinessService
        fields = ["name", "description", "status", "service_unit", "owner", "support_team",
                  "criticality", "service_hours", "service_hours_note", "availability_target",
                  "rto_hours", "rpo_hours", "mto_hours"]


class ServiceComponentForm(ScopedModelForm):
    class Meta:
        model = m.ServiceComponent
        fields = ["service", "configuration_item", "redundancy_group", "role"]


class ServiceLevelAgreementForm(ScopedModelForm):
    class Meta:
        model = m.ServiceLevelAgreement
        fields = ["service", "customer_service_unit", "signatory", "availability_target",
                  *(f"p{p}_{kind}_hours" for p in m.PRIORITIES
                    for kind in ("response", "resolution")),
                  "service_hours", "service_hours_note", "ict_contact", "customer_contact",
                  "start_date", "review_date", "notes"]


class OperationalLevelAgreementForm(ScopedModelForm):
    class Meta:
        model = m.OperationalLevelAgreement
        fields = ["service", "provider_team", "receiving_team", "provides", "targets",
                  "status", "review_date"]


class NoteForm(ActionForm):
    """The input of an agreement's record actions: a note for its history."""

    note = forms.CharField(label="Note (optional)", required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SinglePointsForm(forms.Form):
    """Which live services the single points of failure page lists."""

    criticality = forms.MultipleChoiceField(
        choices=Criticality.choices, widget=forms.CheckboxSelectMultiple,
        label="Criticality of the services", initial=[Criticality.CRITICAL],
        error_messages={"required": "Choose at least one criticality.",
                        "invalid_choice": "Choose criticalities from the list."})
