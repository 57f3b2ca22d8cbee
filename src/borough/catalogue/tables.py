import django_tables2 as tables

from borough.catalogue import models as m
from borough.core.tables import BaseTable


class BusinessServiceTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.BusinessService
        fields = ("name", "reference", "status", "criticality", "service_unit", "owner",
                  "availability_target")
        empty_text = "No business services match."


class ServiceComponentTable(BaseTable):
    # Links to the component (the record this list is of), not to the item.
    configuration_item = tables.Column(linkify=lambda record: record.get_absolute_url(),
                                       verbose_name="Configuration item")

    class Meta(BaseTable.Meta):
        model = m.ServiceComponent
        fields = ("configuration_item", "service", "redundancy_group", "role")
        sequence = ("configuration_item", "service", "redundancy_group", "role")


class ServiceLevelAgreementTable(BaseTable):
    reference = tables.Column(linkify=True, verbose_name="Reference")

    class Meta(BaseTable.Meta):
        model = m.ServiceLevelAgreement
        fields = ("reference", "service", "customer_service_unit", "status", "review_date")
        empty_text = "No service level agreements match."


class OperationalLevelAgreementTable(BaseTable):
    reference = tables.Column(linkify=True, verbose_name="Reference")

    class Meta(BaseTable.Meta):
        model = m.OperationalLevelAgreement
        fields = ("reference", "service", "provider_team", "receiving_team", "status",
                  "review_date")
