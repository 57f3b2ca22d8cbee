from django import forms

from borough.commercial.models import Supplier
from borough.core.forms import ScopedModelForm
from borough.licences import models as m
from borough.licences.queries import Status


class LicenceForm(ScopedModelForm):
    class Meta:
        model = m.Licence
        fields = ["name", "software", "supplier", "contract", "licence_model", "counted_from",
                  "standard_build", "notes"]


class EntitlementForm(ScopedModelForm):
    class Meta:
        model = m.Entitlement
        fields = ["licence", "quantity", "term_start", "term_end", "cost", "contract",
                  "order_reference", "note"]


class ConsumptionCountForm(ScopedModelForm):
    class Meta:
        model = m.ConsumptionCount
        fields = ["licence", "count", "counted_on", "counted_by", "how"]


class ComplianceForm(forms.Form):
    """Which licences the compliance page lists: by supplier, software and position."""

    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), required=False,
                                      empty_label="Any supplier",
                                      error_messages={"invalid_choice": "Choose a supplier "
                                                      "from the list."})
    software = forms.ModelChoiceField(queryset=m.Licence.objects.none(), required=False,
                                      empty_label="Any software",
                                      error_messages={"invalid_choice": "Choose software "
                                                      "from the list."})
    status = forms.ChoiceField(choices=[("", "Any position"), *Status.CHOICES], required=False,
                               label="Position",
                               error_messages={"invalid_choice": "Choose a position from "
                                               "the list."})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from borough.cmdb.models import ConfigurationItem

        self.fields["supplier"].queryset = Supplier.objects.visible_to(user)
        # Only the software that has a licence: a select of a few dozen, not the CMDB.
        licensed = m.Licence.objects.visible_to(user).values("software_id")
        self.fields["software"].queryset = (ConfigurationItem.objects.visible_to(user)
                                            .filter(pk__in=licensed).order_by("name", "pk"))
