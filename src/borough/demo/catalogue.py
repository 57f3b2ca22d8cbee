"""The demo council's business services, the systems that deliver them, the service level
agreements its heads of service signed (and the gaps a real catalogue has: a draft
waiting for a signature, services with none) and an operational level agreement between
ICT teams. Safe to run again: a service of the same name is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from borough.catalogue import services as catalogue_services
from borough.catalogue.models import (
    BusinessService,
    OperationalLevelAgreement,
    ServiceComponent,
    ServiceLevelAgreement,
)
from borough.cmdb.models import ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.organisation import models as org
from borough.servicedesk.models import Ticket

# name, unit, criticality, hours, availability, RTO, RPO, MTO, components, SLA state
SERVICES = [
    ("Council Tax", "Revenues and Benefits", "critical", "business", "99.5", 24, 4, 72,
     ["Council Tax and business rates", "Income management", "Revenues document imaging"],
     "agreed"),
    ("Benefits", "Revenues and Benefits", "critical", "business", "99.5", 24, 4, 72,
     ["Housing Benefit", "Revenues document imaging"], "agreed"),
    ("Payroll", "HR and Payroll", "critical", "business", "99.0", 48, 24, 120,
     ["Payroll", "HR self-service"], "draft"),
    ("Planning", "Planning", "high", "business", "98.0", 72, 24, 168,
     ["Planning and building control", "Local land charges", "Geographic information system"],
     "agreed"),
    ("Financial management", "Finance", "critical", "business", "99.0", 48, 24, 120,
     ["Financials", "Income management", "Purchasing and e-procurement"], None),
    ("Website", "Communications", "high", "24x7", "99.5", 8, 24, 48,
     ["Council website", "Customer relationship management"], None),
    ("Email", "ICT", "critical", "24x7", "99.9", 8, 4, 24, ["Email"], "agreed"),
    ("Telephony", "ICT", "critical", "24x7", "99.9", 4, 24, 8, ["Telephone system"], None),
]
TARGETS = {"p1_response_hours": 1, "p1_resolution_hours": 4, "p2_response_hours": 2,
           "p2_resolution_hours": 8, "p3_response_hours": 4, "p3_resolution_hours": 24,
           "p4_response_hours": 8, "p4_resolution_hours": 72}


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The catalogue for one council, agreed by `keeper` (who keeps it); returns how many
    services it added."""
    units = {u.name: u for u in org.ServiceUnit.objects.filter(organisation=organisation)
             .select_related("head")}
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(organisation=organisation)}
    teams = {t.name: t for t in org.Team.objects.filter(organisation=organisation)}
    ict_contact = org.Person.objects.filter(organisation=organisation, user=keeper).first()
    today = timezone.localdate()
    added = 0
    for (name, unit_name, criticality, hours, availability, rto, rpo, mto, components,
         sla_state) in SERVICES:
        if BusinessService.objects.filter(organisation=organisation, name=name).exists():
            continue
        unit = units.get(unit_name)
        service = services.create_record(BusinessService(
            organisation=organisation, name=name, status="live", service_unit=unit,
            owner=unit.head if unit else None, criticality=criticality, service_hours=hours,
            availability_target=availability, rto_hours=rto, rpo_hours=rpo, mto_hours=mto,
            support_team=teams.get("Applications")), actor=None, note="Demo catalogue.")
        added += 1
        for component in components:
            if component in items:
                services.create_record(ServiceComponent(
                    organisation=organisation, service=service,
                    configuration_item=items[component]), actor=None)
        if sla_state and unit is not None:
            sla = services.create_record(ServiceLevelAgreement(
                organisation=organisation, service=service, customer_service_unit=unit,
                signatory=unit.head, availability_target=availability,
                service_hours=hours, ict_contact=ict_contact, customer_contact=unit.head,
                start_date=today - timedelta(days=120),
                review_date=today + timedelta(days=245), **TARGETS), actor=None)
            if sla_state == "agreed":
                catalogue_services.agree(sla, actor=keeper)
    if added and {"Service Desk", "Applications"} <= set(teams):
        services.create_record(OperationalLevelAgreement(
            organisation=organisation,
            service=BusinessService.objects.get(organisation=organisation, name="Council Tax"),
            provider_team=teams["Applications"], receiving_team=teams["Service Desk"],
            provides="Second-line support for the revenues systems: calls the service desk "
                     "cannot resolve are taken within the working day.",
            targets="Accept within 2 working hours; resolve P1 within 4 hours, P2 within 8.",
            review_date=today + timedelta(days=180)), actor=None)
    return added


# Demo ticket category -> (system, service) it concerns; "unit" picks one of the
# requester's unit's systems.
TICKET_LINKS = {
    "Revenues system": ("Council Tax and business rates", "Council Tax"),
    "Email": ("Email", "Email"),
    "Access request": ("unit", None),
    "Software install": ("unit", None),
}


def link_all_tickets() -> dict[str, int]:
    found = org.Organisation.objects.filter(code="cbc").first()
    return {found.code: link_tickets(found)} if found else {}


@transaction.atomic
def link_tickets(organisation) -> int:
    """Name the system and service on the demo's tickets, as if the desk had recorded
    them when each was raised (one update per group, not an audited edit per ticket:
    it is the history being set up, not someone's change)."""
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        organisation=organisation).select_related("ci_class")}
    live = {s.name: s for s in BusinessService.objects.filter(organisation=organisation)}
    by_system = {c.configuration_item_id: c.service for c in ServiceComponent.objects.filter(
        organisation=organisation).select_related("service").order_by("service__name")}
    unit_systems: dict[int, list] = {}
    for ci in items.values():
        if ci.ci_class.code == "application" and ci.service_unit_id:
            unit_systems.setdefault(ci.service_unit_id, []).append(ci)
    linked = 0
    for label, (system, service) in TICKET_LINKS.items():
        tickets = (Ticket.objects.filter(organisation=organisation, ci__isnull=True,
                                         category__name=label)
                   .values_list("pk", "requester__service_unit_id"))
        groups: dict[tuple, list[int]] = {}
        for pk, unit_id in tickets:
            if system == "unit":
                choices = sorted(unit_systems.get(unit_id, []), key=lambda c: c.name)
                ci = choices[pk % len(choices)] if choices else None
            else:
                ci = items.get(system)
            if ci is None:
                continue
            chosen = live.get(service) if service else by_system.get(ci.pk)
            groups.setdefault((ci.pk, chosen.pk if chosen else None), []).append(pk)
        for (ci_id, service_id), pks in groups.items():
            linked += Ticket.objects.filter(pk__in=pks).update(ci_id=ci_id, service_id=service_id)
    return linked
