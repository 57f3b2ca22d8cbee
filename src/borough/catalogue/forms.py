from borough.catalogue import models as m
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
