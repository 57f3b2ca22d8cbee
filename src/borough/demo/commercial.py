"""The demo council's suppliers and contracts, as its strategy describes them: the
financial management system being replaced (the old supplier given notice, its contract
ending; the new one signed), the concessionary travel system that has just gone live,
the e-forms platform for the website (its last day for notice next month), the website
itself, and the maintenance agreements that underpin the revenues, finance and website
services. The other live systems of the catalogue have their contracts too (planning,
payroll, housing, CRM, backup…), or a recorded reason for having none (the intranet,
built in-house; electoral registration, under the county's contract; housing repairs,
being procured), so every live system has one or the other, as the contracts register
criterion asks. One supplier review held, one falling due. Dates are relative to the day the
demo is loaded. Loaded through core.services (each record audited, contracts versioned);
safe to run again (a supplier or contract of the same name is left as it is). Eskmouth is
left empty, as a council starting out would be."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.cmdb.models import CIClass, ConfigurationItem
from borough.commercial import models as m
from borough.commercial import services as commercial_services
from borough.core import services
from borough.demo import organisations
from borough.organisation import models as org

NOTE = "Demo commercial records."

# name, company number, categories, criticality, risk, review every (months)
SUPPLIERS = [
    ("Unit4 Business Software Ltd", "01970385", ["Software"], "critical", "medium", 12),
    ("TechnologyOne UK Ltd", "08213652", ["Software", "Managed service"], "critical",
     "medium", 6),
    ("Northgate Public Services", "00968498", ["Software"], "critical", "high", 12),
    ("Hopper Transport Systems Ltd", "09876543", ["Software", "Managed service"], "high",
     "medium", 12),
    ("Jadu Ltd", "05336473", ["Software", "Hosting"], "high", "low", 12),
    ("Esri UK Ltd", "01288342", ["Software"], "medium", "low", 24),
    ("Microsoft Ltd", "01624297", ["Software"], "critical", "low", None),
    ("Idox Software Ltd", "", ["Software"], "high", "medium", 12),
    ("MHR International UK Ltd", "", ["Software", "Managed service"], "high",
     "low", 12),
    ("Civica UK Ltd", "", ["Software"], "high", "medium", 12),
    ("Lagan Technologies", "", ["Software"], "medium", "medium", 24),
    ("Gladstone MRM Ltd", "", ["Software", "Hosting"], "medium", "low", 24),
    ("Veeam Software Ltd", "", ["Software"], "medium", "medium", None),
]

# Applications the strategy names that the demo estate does not yet hold.
NEW_SYSTEMS = [("Concessionary travel", "Customer Services"), ("E-forms", "Communications")]


def load(today: date | None = None) -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    if not keeper:
        return {}
    return {council.code: load_organisation(council, keeper, today or timezone.localdate())}


def _month_end(day: date) -> date:
    return day + relativedelta(day=31)


def _contracts(today: date) -> list[dict]:
    """The demo's contracts, dated from `today`."""
    next_month = today.replace(day=1) + relativedelta(months=1)
    notice_next_month = next_month.replace(day=15)
    return [
        {"title": "Financials support and maintenance", "supplier": "Unit4 Business Software Ltd",
         "kind": m.ContractKind.MAINTENANCE, "annual": "48500.00", "whole": "339500.00",
         "start": date(today.year - 7, 4, 1), "end": _month_end(today + relativedelta(months=4)),
         "notice": 3, "given": today - timedelta(days=45),
         "route": m.ProcurementRoute.OPEN_TENDER, "ref": "CBC/ICT/2015/04",
         "hours": "8am to 6pm on working days",
         "response": "P1 (system down): respond in 1 hour, fix in 8 working hours.\n"
                     "P2: respond in 4 hours, fix in 3 working days.",
         "description": "The old financial management system, being replaced: notice given, "
                        "support ends with the term.",
         "covers": ["Financials", "Purchasing and e-procurement"],
         "services": ["Financial management"]},
        {"title": "Financial management system", "supplier": "TechnologyOne UK Ltd",
         "kind": m.ContractKind.CONTRACT, "annual": "62000.00", "whole": "310000.00",
         "start": today - timedelta(days=30), "end": today - timedelta(days=31)
         + relativedelta(years=5), "notice": 6,
         "route": m.ProcurementRoute.FRAMEWORK, "ref": "G-Cloud 14, lot 2",
         "hours": "8am to 6pm on working days; 24x7 for P1 during month end",
         "response": "P1: respond in 30 minutes, fix in 4 hours.\nP2: respond in 2 hours.",
         "description": "The new financial management system, software as a service: "
                        "implementation and five years' subscription and support.",
         "covers": [], "services": ["Financial management"]},
        {"title": "Revenues and benefits maintenance", "supplier": "Northgate Public Services",
         "kind": m.ContractKind.MAINTENANCE, "annual": "67250.00", "whole": None,
         "start": date(today.year - 4, 4, 1), "end": date(today.year - 3, 3, 31),
         "renews": 12, "notice": 6, "route": m.ProcurementRoute.DIRECT,
         "ref": "PO-REV-2022", "hours": "8am to 6pm on working days; annual billing support "
                                       "on weekends in March",
         "response": "P1: respond in 1 hour, fix in 1 working day.\n"
                     "P2: respond in 4 hours, fix in 5 working days.",
         "covers": ["Council Tax and business rates", "Housing Benefit",
                    "Revenues document imaging"],
         "services": ["Council Tax", "Benefits"]},
        {"title": "Concessionary travel system", "supplier": "Hopper Transport Systems Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "18400.00", "whole": None,
         "start": today - relativedelta(months=2, day=1),
         "end": today - relativedelta(months=2, day=1) + relativedelta(years=1, days=-1),
         "renews": 12, "notice": 90, "unit": m.NoticeUnit.DAYS,
         "route": m.ProcurementRoute.QUOTATIONS, "ref": "RFQ-2026-031",
         "hours": "8am to 8pm, seven days a week",
         "response": "Card production failures: respond in 2 hours.",
         "description": "Bus passes for older and disabled residents: applications, "
                        "eligibility checks and card production. Went live two months ago.",
         "covers": ["Concessionary travel"], "services": []},
        {"title": "E-forms platform", "supplier": "Jadu Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "9800.00", "whole": None,
         "start": notice_next_month + relativedelta(months=3, years=-2, days=1),
         "end": notice_next_month + relativedelta(months=3),
         "renews": 12, "notice": 3, "route": m.ProcurementRoute.FRAMEWORK,
         "ref": "G-Cloud 12", "hours": "9am to 5pm on working days",
         "response": "Respond in 4 working hours.",
         "description": "Online forms for council services on the website (the E-Forms "
                        "project). Renews each year unless notice is given.",
         "covers": ["E-forms"], "services": ["Website"]},
        {"title": "Website hosting and support", "supplier": "Jadu Ltd",
         "kind": m.ContractKind.MAINTENANCE, "annual": "11200.00", "whole": "33600.00",
         "start": _month_end(today + relativedelta(months=14)) - relativedelta(years=3)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=14)),
         "notice": 3, "route": m.ProcurementRoute.FRAMEWORK, "ref": "G-Cloud 12",
         "hours": "24x7 for hosting; 9am to 5pm on working days for content support",
         "response": "Site down: respond in 30 minutes, restore in 4 hours.",
         "covers": ["Council website"], "services": ["Website"]},
        {"title": "Microsoft Enterprise Agreement", "supplier": "Microsoft Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "138240.00", "whole": "414720.00",
         "start": date(today.year - 1, 7, 1), "end": date(today.year + 2, 6, 30),
         "notice": 3, "route": m.ProcurementRoute.FRAMEWORK, "ref": "CCS Technology Products",
         "covers": ["Email", "File and print", "Corporate domain", "Document management"],
         "services": ["Email"]},
        {"title": "ArcGIS maintenance", "supplier": "Esri UK Ltd",
         "kind": m.ContractKind.MAINTENANCE, "annual": "15000.00", "whole": None,
         "start": date(today.year - 2, 10, 1), "end": date(today.year - 1, 9, 30),
         "renews": 12, "notice": 60, "unit": m.NoticeUnit.DAYS,
         "route": m.ProcurementRoute.DIRECT, "ref": "PO-GIS-2024",
         "covers": ["Geographic information system"], "services": []},
        # The other systems the seeds' catalogue project found (about 25 in all), so
        # every live system has a contract or a recorded reason (_reasons).
        {"title": "Idox Uniform maintenance", "supplier": "Idox Software Ltd",
         "kind": m.ContractKind.MAINTENANCE, "annual": "15000.00", "whole": "75000.00",
         "start": _month_end(today + relativedelta(months=8)) - relativedelta(years=5)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=8)),
         "notice": 3, "route": m.ProcurementRoute.FRAMEWORK, "ref": "G-Cloud 11",
         "hours": "9am to 5pm on working days",
         "description": "Planning, building control, land charges, environmental health "
                        "and licensing on one system.",
         "covers": ["Planning and building control", "Local land charges",
                    "Environmental health case management", "Licensing"],
         "services": ["Planning"]},
        {"title": "iTrent payroll and HR subscription", "supplier": "MHR International UK Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "11760.00", "whole": "35280.00",
         "start": today - relativedelta(months=14, day=1),
         "end": today - relativedelta(months=14, day=1) + relativedelta(years=3, days=-1),
         "notice": 6, "route": m.ProcurementRoute.FRAMEWORK, "ref": "CCS RM6194",
         "hours": "8am to 6pm on working days; payroll run days 7am to 8pm",
         "covers": ["Payroll", "HR self-service"], "services": ["Payroll"]},
        {"title": "Customer relationship management support", "supplier": "Lagan Technologies",
         "kind": m.ContractKind.MAINTENANCE, "annual": "9120.00", "whole": "27360.00",
         "start": _month_end(today + relativedelta(months=19)) - relativedelta(years=3)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=19)),
         "notice": 3, "route": m.ProcurementRoute.QUOTATIONS, "ref": "RFQ-2025-007",
         "covers": ["Customer relationship management"], "services": []},
        {"title": "Leisure bookings subscription", "supplier": "Gladstone MRM Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "4920.00", "whole": "14760.00",
         "start": _month_end(today + relativedelta(months=11)) - relativedelta(years=3)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=11)),
         "notice": 1, "route": m.ProcurementRoute.QUOTATIONS, "ref": "RFQ-2024-019",
         "covers": ["Leisure bookings"], "services": []},
        {"title": "Housing management system maintenance", "supplier": "Civica UK Ltd",
         "kind": m.ContractKind.MAINTENANCE, "annual": "24000.00", "whole": "120000.00",
         "start": _month_end(today + relativedelta(months=26)) - relativedelta(years=5)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=26)),
         "notice": 6, "route": m.ProcurementRoute.OPEN_TENDER, "ref": "CBC/HSG/2023/02",
         "hours": "8am to 6pm on working days",
         "covers": ["Housing management", "Choice-based lettings"], "services": []},
        {"title": "Income management and payments", "supplier": "Civica UK Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "7400.00", "whole": "29600.00",
         "start": _month_end(today + relativedelta(months=31)) - relativedelta(years=4)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=31)),
         "notice": 3, "route": m.ProcurementRoute.FRAMEWORK, "ref": "CCS RM3821",
         "covers": ["Income management"], "services": []},
        {"title": "Backup software support", "supplier": "Veeam Software Ltd",
         "kind": m.ContractKind.SUBSCRIPTION, "annual": "3600.00", "whole": "10800.00",
         "start": _month_end(today + relativedelta(months=7)) - relativedelta(years=3)
         + timedelta(days=1), "end": _month_end(today + relativedelta(months=7)),
         "notice": 1, "route": m.ProcurementRoute.DIRECT, "ref": "PO-BKP-2024",
         "covers": ["Backup"], "services": []},
    ]


def _systems(organisation, units) -> None:
    application = CIClass.objects.filter(organisation=organisation, code="application").first()
    if application is None:
        return
    for name, unit in NEW_SYSTEMS:
        if not ConfigurationItem.objects.filter(organisation=organisation, name=name).exists():
            services.create_record(ConfigurationItem(
                organisation=organisation, name=name, ci_class=application, status="live",
                service_unit=units.get(unit), criticality="high"), actor=None, note=NOTE)


@transaction.atomic
def load_organisation(organisation, keeper, today: date) -> int:
    """Suppliers, contracts and reviews for one council; returns how many contracts it
    added."""
    commercial_services.set_up_organisation(organisation)
    units = {u.name: u for u in org.ServiceUnit.objects.filter(organisation=organisation)}
    _systems(organisation, units)
    manager = org.Person.objects.filter(organisation=organisation, user=keeper).first()
    finance_head = (units["Finance"].head if "Finance" in units and units["Finance"].head_id
                    else manager)
    categories = {}
    for name in ("Software", "Hosting", "Managed service"):
        categories[name] = (m.SupplierCategory.objects.filter(organisation=organisation,
                                                              name=name).first()
                            or services.create_record(m.SupplierCategory(
                                organisation=organisation, name=name), actor=None, note=NOTE))
    suppliers = {}
    for name, number, cats, criticality, risk, every in SUPPLIERS:
        found = m.Supplier.objects.filter(organisation=organisation, name=name).first()
        if found is None:
            found = services.create_record(m.Supplier(
                organisation=organisation, name=name, company_number=number,
                criticality=criticality, risk=risk, manager=manager,
                review_every_months=every), actor=None, note=NOTE,
                many_to_many={"categories": [categories[c] for c in cats]})
        suppliers[name] = found
    _contacts(organisation, suppliers)
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(organisation=organisation)}
    business = {s.name: s for s in BusinessService.objects.filter(organisation=organisation)}
    added = 0
    for row in _contracts(today):
        if m.Contract.objects.filter(organisation=organisation, title=row["title"]).exists():
            continue
        owner = finance_head if "inanc" in row["title"] else manager
        contract = m.Contract(
            organisation=organisation, title=row["title"], supplier=suppliers[row["supplier"]],
            kind=row["kind"], description=row.get("description", ""), owner=owner,
            annual_value=Decimal(row["annual"]),
            whole_life_value=Decimal(row["whole"]) if row["whole"] else None,
            start_date=row["start"], end_date=row["end"],
            renewal_terms=m.RenewalTerms.AUTO if row.get("renews") else m.RenewalTerms.FIXED,
            renewal_months=row.get("renews"), notice_period=row["notice"],
            notice_unit=row.get("unit", m.NoticeUnit.MONTHS),
            notice_given_on=row.get("given"), notice_given_by=keeper if row.get("given") else None,
            procurement_route=row["route"], procurement_reference=row["ref"],
            support_hours=row.get("hours", ""), response_times=row.get("response", ""))
        notice = contract.notice_by(today)
        if row.get("renews") and notice is not None and notice < today:
            # Renewing contracts whose last day for notice this term has passed: the
            # council decided to keep them in good time.
            contract.renewal_agreed_on = notice - timedelta(days=20)
            contract.renewal_agreed_by = keeper
        contract = services.create_record(contract, actor=None, note=NOTE)
        added += 1
        for name in row["covers"]:
            if name in items:
                services.create_record(m.ContractCover(
                    organisation=organisation, contract=contract, configuration_item=items[name],
                    note="Licences, support and maintenance"), actor=None, note=NOTE)
        for name in row["services"]:
            if name in business:
                services.create_record(m.ContractCover(
                    organisation=organisation, contract=contract, service=business[name]),
                    actor=None, note=NOTE)
    _reasons(organisation, items, today)
    _reviews(organisation, suppliers, manager, today)
    return added


def _contacts(organisation, suppliers) -> None:
    for supplier, name, role, email in [
        ("Unit4 Business Software Ltd", "Paula Grant", "Account manager",
         "paula.grant@unit4.example"),
        ("Northgate Public Services", "Mark Ellis", "Service delivery manager",
         "mark.ellis@northgate.example"),
        ("Northgate Public Services", "Support desk", "Service desk",
         "support@northgate.example"),
        ("Jadu Ltd", "Hannah Cole", "Customer success manager", "hannah.cole@jadu.example"),
        ("Hopper Transport Systems Ltd", "Raj Mistry", "Implementation lead",
         "raj.mistry@hopper.example"),
    ]:
        if not m.SupplierContact.objects.filter(organisation=organisation,
                                                supplier=suppliers[supplier],
                                                name=name).exists():
            services.create_record(m.SupplierContact(
                organisation=organisation, supplier=suppliers[supplier], name=name, role=role,
                email=email, is_primary=role != "Service desk"), actor=None, note=NOTE)


# System, reason, why, months until it is looked at again (None: no date).
REASONS = [
    ("Intranet", m.NoContractReason.IN_HOUSE,
     "Built by the ICT web team on the website's content management licence; supported "
     "in-house. Agreed by the ICT manager.", None),
    ("Electoral registration", m.NoContractReason.OTHER_BODY,
     "Provided through the county's shared electoral services contract: the county "
     "council holds it and recharges Copeland's share. Agreed by the ICT manager.", None),
    ("Housing repairs", m.NoContractReason.PROCURING,
     "Being procured with the housing management re-let; until then it runs on the "
     "housing server, supported by the Applications team. Agreed by the head of Housing.",
     4),
]


def _reasons(organisation, items, today: date) -> None:
    for name, reason, why, months in REASONS:
        item = items.get(name)
        if item is None or m.UncontractedSystem.objects.filter(
                configuration_item=item).exists():
            continue
        services.create_record(m.UncontractedSystem(
            organisation=organisation, configuration_item=item, reason=reason,
            explanation=why,
            review_by=today + relativedelta(months=months) if months else None),
            actor=None, note=NOTE)


def _reviews(organisation, suppliers, manager, today: date) -> None:
    criteria = list(m.ReviewCriterion.objects.filter(organisation=organisation,
                                                     is_active=True))
    # Northgate reviewed two months ago; Jadu last reviewed almost a year ago: due soon.
    for supplier, held_on, scores, levels, actions in [
        ("Northgate Public Services", today - relativedelta(months=2), [4, 3, 4, 3, 4],
         "Council Tax annual billing ran on time. Two P1 calls in the quarter, both answered "
         "within the hour; one fixed in 10 working hours against 8.",
         "Northgate to send monthly service reports by the 5th working day. ICT to raise the "
         "slow P1 fix at the next quarterly meeting."),
        ("Jadu Ltd", today - relativedelta(months=12) + timedelta(days=12), [4, 4, 3, 4, 4],
         "Website availability 99.8% against 99.5%. Hosting response within target.",
         "Jadu to propose the e-forms roadmap before the renewal."),
    ]:
        if m.SupplierReview.objects.filter(supplier=suppliers[supplier]).exists():
            continue
        commercial_services.record_review(  # as the page records them
            suppliers[supplier], actor=None, held_on=held_on, reviewer=manager,
            scores={c.pk: (score, "") for c, score in zip(criteria, scores, strict=False)},
            service_levels=levels, actions=actions)
