"""The catalogue's evidence rules, met and not met."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from borough.catalogue import models as m
from borough.core.registry import registry
from tests.factories import (
    BusinessServiceFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
)

pytestmark = pytest.mark.django_db

SLAS = "catalogue.live-services-have-agreed-slas"
SPOF = "catalogue.single-points-known"


def run(name, organisation, params=None, as_of=None):
    return registry.evidence_rules[name].run(organisation, params, as_of or timezone.now())


def agreed(service, review_date):
    sla = ServiceLevelAgreementFactory(organisation=service.organisation, service=service,
                                       review_date=review_date)
    m.ServiceLevelAgreement.objects.filter(pk=sla.pk).update(
        status=m.AgreementStatus.AGREED, agreed_at=timezone.now() - datetime.timedelta(days=1))
    return sla


def test_every_live_service_with_an_agreed_sla_in_date_is_met(org_a):
    later = timezone.localdate() + datetime.timedelta(days=30)
    for name in ("Council Tax", "Payroll"):
        agreed(BusinessServiceFactory(organisation=org_a, name=name), later)
    BusinessServiceFactory(organisation=org_a, name="Old", status=m.ServiceStatus.RETIRED)
    result = run(SLAS, org_a)
    assert result.met, result.summary
    assert result.figures["live_services"] == 2


def test_a_service_whose_sla_is_past_review_or_not_agreed_is_not_met(org_a):
    payroll = BusinessServiceFactory(organisation=org_a, name="Payroll")
    agreed(payroll, timezone.localdate() - datetime.timedelta(days=1))
    email = BusinessServiceFactory(organisation=org_a, name="Email")
    ServiceLevelAgreementFactory(organisation=org_a, service=email)  # a draft
    result = run(SLAS, org_a)
    assert not result.met
    assert result.figures["without"] == [email.reference, payroll.reference]
    assert "2 of 2 live business services have no agreed" in result.summary


def test_no_live_services_is_not_met(org_a):
    assert not run(SLAS, org_a).met
    assert "nothing to show" in run(SPOF, org_a).summary


def test_an_sla_agreed_after_the_date_checked_does_not_count(org_a):
    service = BusinessServiceFactory(organisation=org_a)
    agreed(service, timezone.localdate() + datetime.timedelta(days=30))
    assert not run(SLAS, org_a, as_of=timezone.now() - datetime.timedelta(days=2)).met


def test_single_points_are_known_when_every_critical_service_has_components(org_a):
    tax = BusinessServiceFactory(organisation=org_a, name="Council Tax", criticality="critical")
    component = ServiceComponentFactory(organisation=org_a, service=tax)
    BusinessServiceFactory(organisation=org_a, name="Intranet", criticality="low")
    result = run(SPOF, org_a)
    assert result.met, result.summary
    # The component alone delivers it: losing it stops the service.
    assert result.figures["single_points"] == {tax.reference: 1}
    assert component.configuration_item_id
    result = run(SPOF, org_a, {"criticalities": ["critical", "low"]})
    assert not result.met and "Intranet" in result.summary


def test_a_critical_service_without_components_is_not_met(org_a):
    BusinessServiceFactory(organisation=org_a, name="Payroll", criticality="critical")
    result = run(SPOF, org_a)
    assert not result.met
    assert "1 of 1 live critical business services have no components" in result.summary


def test_a_wrong_parameter_says_so(org_a):
    result = run(SPOF, org_a, {"criticalities": ["dire"]})
    assert not result.met and result.summary.startswith("This check cannot run")


# --- as it stood then: services, components and agreements replayed ----------------------

def test_a_past_date_reads_the_agreement_and_components_as_they_stood(org_a, admin_a):
    from borough.catalogue import services as catalogue_services
    from borough.core import services as core_services
    from tests.factories import (
        ConfigurationItemFactory,
        PersonFactory,
        ServiceUnitFactory,
    )

    start = timezone.now() - datetime.timedelta(days=30)

    def day(n, hours=12):
        return start + datetime.timedelta(days=n, hours=hours)

    with time_machine.travel(day(0), tick=False):
        service = core_services.create_record(m.BusinessService(
            organisation=org_a, name="Payroll", status=m.ServiceStatus.LIVE,
            criticality="critical"), actor=admin_a)
        sla = core_services.create_record(m.ServiceLevelAgreement(
            organisation=org_a, service=service, signatory=PersonFactory(organisation=org_a),
            customer_service_unit=ServiceUnitFactory(organisation=org_a),
            start_date=timezone.localdate(), availability_target=99,
            review_date=timezone.localdate() + datetime.timedelta(days=365)), actor=admin_a)
        component = core_services.create_record(m.ServiceComponent(
            organisation=org_a, service=service,
            configuration_item=ConfigurationItemFactory(organisation=org_a)), actor=admin_a)
    with time_machine.travel(day(1), tick=False):
        sla = catalogue_services.agree(sla, actor=admin_a)
    with time_machine.travel(day(10), tick=False):
        catalogue_services.redraft(sla, actor=admin_a)
        core_services.delete_record(component, actor=admin_a, expected_version=None)
    with time_machine.travel(day(20), tick=False):
        core_services.update_record(service, actor=admin_a, data={"criticality": "low"},
                                    expected_version=None)

    assert not run(SLAS, org_a, as_of=day(0, 18)).met  # a draft then
    assert run(SLAS, org_a, as_of=day(5)).met  # agreed then, a draft now
    assert not run(SLAS, org_a, as_of=day(12)).met
    assert run(SPOF, org_a, as_of=day(5)).met  # its component was recorded then
    assert run(SPOF, org_a, as_of=day(12)).figures["without"] == [service.reference]
    # Critical until the 20th: after it, not among the critical services at all.
    assert run(SPOF, org_a, as_of=day(21)).figures["services"] == 0
