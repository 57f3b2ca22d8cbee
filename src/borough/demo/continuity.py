"""Continuity for the demo council, played through the services (after the catalogue and
the CMDB): an approved business impact analysis for each critical service, whose
objectives become the service's; the Moresby failover — the site-level disaster recovery
plan that moves the Whitehaven computer room's work to the backup suite at Moresby over
the high-duty link — with its contacts, steps and the configuration items to recover in
the order the CMDB gives, approved as revision 1; and its last test, a full failover in
spring 2026, with the recovery time achieved against each service's objective and a
follow-up action. Safe to run again: a council with a plan is left as it is."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.continuity import models as m
from borough.continuity import services as continuity
from borough.core import services
from borough.demo import organisations
from borough.demo.changes import _person
from borough.organisation import models as org

# Impacts over time for every analysis: (after hours, financial, reputational, legal,
# service to the public, notes).
IMPACTS = {
    "Council Tax": [(4, "minor", "minor", "none", "moderate", "Payments queue; phones busy."),
                    (24, "moderate", "moderate", "minor", "major",
                     "Direct debits and bills delayed; recovery notices cannot be sent."),
                    (72, "major", "major", "major", "severe",
                     "Billing deadlines missed; statutory notices late.")],
    "Benefits": [(4, "minor", "minor", "none", "moderate", "New claims wait."),
                 (24, "moderate", "major", "moderate", "major",
                  "Payments to vulnerable residents at risk."),
                 (72, "major", "severe", "major", "severe",
                  "Housing Benefit payment run missed; DWP deadlines breached.")],
    "Payroll": [(24, "minor", "minor", "none", "minor", "Timesheets and changes wait."),
                (48, "moderate", "moderate", "moderate", "moderate",
                 "Close to the BACS cut-off in a pay week."),
                (120, "severe", "severe", "major", "major", "Staff not paid on time.")],
    "Financial management": [(24, "minor", "none", "none", "minor", "Invoices queue."),
                             (48, "moderate", "minor", "minor", "moderate",
                              "Supplier payment run delayed."),
                             (120, "major", "moderate", "moderate", "major",
                              "Late payment interest; year-end at risk.")],
    "Email": [(2, "none", "minor", "none", "moderate", "Residents' emails wait."),
              (8, "minor", "moderate", "minor", "major",
               "Officers cannot reach partners or residents."),
              (24, "moderate", "major", "moderate", "severe",
               "Council business stops; safeguarding referrals by phone only.")],
    "Telephony": [(1, "none", "moderate", "none", "major", "Contact centre unreachable."),
                  (4, "minor", "major", "minor", "severe",
                   "Residents cannot report or pay by phone."),
                  (8, "moderate", "severe", "moderate", "severe",
                   "Emergency out-of-hours calls diverted to mobiles only.")],
}

# The items the Moresby failover recovers (ordered from the CMDB when loaded).
RECOVER = ["MOR-CORE01", "Whitehaven to Moresby link", "MORHOST01", "MOR-BACKUP01", "DC02",
           "Corporate domain", "SQL01", "SQL02", "REV01", "APP01", "EXCH01",
           "Revenues database", "Finance database", "Payroll database",
           "Council Tax and business rates", "Housing Benefit", "Financials", "Payroll",
           "Email", "Telephone system"]

STEPS = [
    ("Confirm the loss of the Whitehaven computer room with the on-call engineer and the "
     "facilities manager; the incident controller decides to invoke the plan.",
     "Incident controller", 30),
    ("Tell the service desk, heads of service and the communications team that the council's "
     "systems are moving to Moresby; post a status announcement.", "Communications lead", 15),
    ("Check the high-duty link to Moresby is up and has its full bandwidth; if not, call "
     "Openreach on the priority line.", "Infrastructure lead", 15),
    ("Bring up MORHOST01 and the Moresby switch; restore the latest backups from "
     "MOR-BACKUP01 to the standby virtual servers, in the recovery order below.",
     "Infrastructure lead", 120),
    ("Move the domain, databases and applications to Moresby; point DNS at the standby "
     "servers; test a login, a Council Tax payment and an email end to end.",
     "Applications lead", 60),
    ("Divert the telephone system's trunks through the link; test the contact centre.",
     "Infrastructure lead", 30),
    ("Declare the services restored; record the times reached against each service's "
     "recovery time objective.", "Incident controller", 10),
]


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


def _spring_test_day(today: datetime.date) -> datetime.date:
    """22 April 2026, or a month ago on a clock before it."""
    day = datetime.date(2026, 4, 22)
    return day if day < today else today - datetime.timedelta(days=30)


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The analyses, the plan and its test; returns how many records it added."""
    if m.ContinuityPlan.objects.filter(organisation=organisation).exists():
        return 0
    manager = _person(organisation, "ictmanager")
    lead = _person(organisation, "teamlead")
    if manager is None or lead is None:
        return 0
    today = timezone.localdate()
    added = 0
    critical = list(BusinessService.objects.filter(
        organisation=organisation, criticality="critical", status="live").order_by("name"))
    for service in critical:
        bia = services.create_record(m.BusinessImpactAnalysis(
            organisation=organisation, service=service,
            assessed_on=today - datetime.timedelta(days=60), assessed_by=manager,
            summary=f"What losing {service.name} costs the council and its residents, "
                    "assessed with the head of service.",
            proposed_rto_hours=service.rto_hours, proposed_rpo_hours=service.rpo_hours,
            proposed_mto_hours=service.mto_hours), actor=keeper)
        for hours, financial, reputational, legal, public, notes in IMPACTS.get(
                service.name, IMPACTS["Council Tax"]):
            services.create_record(m.ImpactRow(
                organisation=organisation, analysis=bia, after_hours=Decimal(hours),
                financial=financial, reputational=reputational, legal=legal,
                public_service=public, notes=notes), actor=keeper)
        continuity.approve_analysis(bia, actor=keeper, note="Agreed with the head of service.")
        added += 1

    sites = list(org.Site.objects.filter(organisation=organisation).order_by("pk"))
    whitehaven = sites[0] if sites else None
    plan = services.create_record(m.ContinuityPlan(
        organisation=organisation, title="Moresby failover", site=whitehaven,
        kind=m.PlanKind.DISASTER_RECOVERY, owner=manager,
        scope="The council's servers, storage and telephony in the Whitehaven computer room, "
              "recovered on the backup suite of servers at Moresby over the high-duty link, "
              "so that information flows from Moresby in the event of a local failure. Not "
              "covered: cloud services (their suppliers' plans) and desktops.",
        invocation_criteria="The Whitehaven computer room is lost, or out of reach for more "
                            "than two hours in working time (fire, flood, power, the building "
                            "closed). The ICT manager, or the infrastructure team lead in "
                            "their absence, invokes it."),
        actor=keeper, many_to_many={"services": critical})
    added += 1
    for position, (role, person, name, employer, phone) in enumerate((
            ("Incident controller", manager, "", "", ""),
            ("Infrastructure lead", lead, "", "", ""),
            ("Link provider", None, "Openreach business fault line", "Openreach",
             "0800 023 2023"),
            ("Telephony supplier", None, "Mitel support desk", "Mitel", "0345 601 5700")),
            start=1):
        services.create_record(m.PlanContact(
            organisation=organisation, plan=plan, role=role, person=person, name=name,
            employer=employer, phone=phone, position=position), actor=keeper)
    for number, (instruction, by, minutes) in enumerate(STEPS, start=1):
        services.create_record(m.PlanStep(
            organisation=organisation, plan=plan, number=number, instruction=instruction,
            done_by=by, expected_minutes=minutes), actor=keeper)
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        organisation=organisation, name__in=RECOVER)}
    for position, name in enumerate(RECOVER, start=1):
        if name in items:
            services.create_record(m.RecoveryItem(
                organisation=organisation, plan=plan, configuration_item=items[name],
                position=position), actor=keeper)
    plan.refresh_from_db()
    continuity.order_from_cmdb(plan, actor=keeper)
    plan.refresh_from_db()
    plan = continuity.approve_plan(plan, actor=keeper, note="First issue.")

    test = services.create_record(m.ContinuityTest(
        organisation=organisation, plan=plan, kind=m.TestKind.FULL_FAILOVER,
        tested_on=_spring_test_day(today),
        scenario="A Saturday failover exercise: the Whitehaven computer room declared lost at "
                 "08:00; every critical service brought up at Moresby from the previous "
                 "night's backups and used by a test team from each service.",
        other_participants="Openreach engineer on call; Mitel support",
        result=m.TestResult.PASSED_WITH_ISSUES, achieved_recovery_hours=Decimal("3.50"),
        achieved_data_loss_hours=Decimal("0.25"),
        lessons="Every service was back within its recovery time objective; the telephone "
                "trunks took longest (3 hours 30 minutes against 4). The restore of the "
                "revenues database waited for the domain controller: the runbook's order "
                "was wrong, now taken from the CMDB."),
        actor=keeper, many_to_many={"participants": [manager, lead]})
    services.create_record(m.FollowUp(
        organisation=organisation, test=test, owner=lead,
        description="Script the telephone trunk diversion so it takes under an hour.",
        due_on=_spring_test_day(today) + datetime.timedelta(days=120)), actor=keeper)
    return added + 2
