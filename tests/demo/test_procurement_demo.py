"""The procurement demo: written through the services, so it must satisfy their rules."""

import pytest

from borough.cmdb import services as cmdb_services
from borough.demo import organisations
from borough.demo import procurement as demo
from borough.library.models import Document
from borough.procurement import models as m


@pytest.mark.django_db
def test_copeland_gets_its_steps_its_procedure_and_three_business_cases():
    organisations.load("demo-password-1")
    council, _ = organisations.copeland_keeper()
    cmdb_services.install_default_classes(council.pk)
    assert demo.load() == {"cbc": 3}
    assert demo.load() == {"cbc": 0}, "safe to run again"

    steps = m.ApprovalStep.objects.filter(organisation=council).in_order()
    assert [(s.name, s.up_to) for s in steps] == [
        ("ICT manager", 5000), ("Head of finance", 25000), ("Executive", None)]
    assert steps[1].approvers.get().user.username == "cbc-unithead"
    assert Document.objects.get(organisation=council, topic="ict_procurement").status == \
        "published"

    requests = {r.title.split(" ")[0]: r for r in
                m.ProcurementRequest.objects.filter(organisation=council)}
    waiting = requests["E-forms"]
    assert waiting.status == m.Status.IN_APPROVAL
    assert waiting.current_step.name == "Head of finance"
    bought = requests["Concessionary"]
    assert bought.status == m.Status.APPROVED and bought.contract is not None
    assert bought.contract.procurement_reference == bought.reference
    assert bought.contract.covers.get().configuration_item.name == "Concessionary travel"
    refused = requests["Second"]
    assert refused.status == m.Status.REFUSED
    assert refused.decisions.get(outcome="refuse").decided_by.username == "cbc-unithead"
