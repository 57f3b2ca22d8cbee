"""The demo council's software licences: for a handful of the systems in its catalogue,
what it bought (this financial year's entitlements) and how the use is counted — the
systems catalogue's users, the CPU cores of the server, the devices on the standard
build, a count entered by hand — with one licence over-used (Financials: more users than
were bought) and one under-used (the GIS: seats nobody uses). Loaded through
core.services; safe to run again (a licence of the same name is left as it is).

Suppliers are found by name (the commercial demo's, when it has run first) or made."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import Contract, Supplier
from borough.core import services
from borough.demo import organisations
from borough.licences import models as m
from borough.organisation import models as org

N, D, C, S, CORE, SUB = ("named_user", "device", "concurrent", "site", "core", "subscription")
USERS, DEVICES, CORES, ENTERED = "users", "devices", "cores", "entered"

# name, software (the demo CMDB's), supplier, model, counted from, quantity, cost this year
LICENCES = [
    ("Financials named users", "Financials", "Unit4 Business Software Ltd", N, USERS,
     80, "9600.00"),  # 85 users recorded: 5 short at £120 each
    ("GIS desktop seats", "Geographic information system", "Esri UK Ltd", N, USERS,
     60, "15000.00"),  # 50 users recorded: 10 unused at £250 each
    ("Revenues named users", "Council Tax and business rates", "Northgate Public Services",
     N, USERS, 45, "22500.00"),
    ("Microsoft 365 E3", "Email", "Microsoft Ltd", SUB, USERS, 480, "138240.00"),
    ("Veeam per core", "Backup", "Veeam Software Ltd", CORE, CORES, 4, "2400.00"),
    ("CRM concurrent agents", "Customer relationship management", "Lagan Technologies",
     C, ENTERED, 30, "18000.00"),
    ("Jadu website site licence", "Council website", "Jadu Ltd", S, USERS, 1, "14500.00"),
    ("Windows Server device CALs", "Corporate domain", "Microsoft Ltd", D, DEVICES, 10,
     "450.00"),
]
# The count entered by hand for the concurrent licence.
CONCURRENT_PEAK = 30


def _financial_year(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return start, datetime.date(start.year + 1, 3, 31)


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The licences of one council, counted by `keeper`; returns how many it added."""
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        organisation=organisation, name__in={row[1] for row in LICENCES}
        | {"Corporate desktop build 2026.1"})}
    counter = org.Person.objects.filter(organisation=organisation, user=keeper).first()
    start, end = _financial_year(timezone.localdate())
    added = 0
    for name, software, supplier_name, model, counted, quantity, cost in LICENCES:
        if software not in items or m.Licence.objects.filter(
                organisation=organisation, name=name).exists():
            continue
        supplier = (Supplier.objects.filter(organisation=organisation, name=supplier_name)
                    .first() or services.create_record(
                        Supplier(organisation=organisation, name=supplier_name), actor=None,
                        note="Demo licences."))
        contract = Contract.objects.filter(organisation=organisation,
                                           supplier=supplier).first()
        build = items.get("Corporate desktop build 2026.1") if counted == DEVICES else None
        licence = services.create_record(m.Licence(
            organisation=organisation, name=name, software=items[software], supplier=supplier,
            contract=contract, licence_model=model, counted_from=counted,
            standard_build=build), actor=None, note="Demo licences.")
        services.create_record(m.Entitlement(
            organisation=organisation, licence=licence, quantity=quantity,
            term_start=start, term_end=end if model != D else None, cost=Decimal(cost),
            contract=contract, order_reference=f"PO-{start.year}-{added + 101:04d}"),
            actor=None, note="Demo licences.")
        if counted == ENTERED:
            services.create_record(m.ConsumptionCount(
                organisation=organisation, licence=licence, count=CONCURRENT_PEAK,
                counted_on=timezone.localdate() - datetime.timedelta(days=7),
                counted_by=counter, how="Peak concurrent agents last month, from the "
                                        "supplier's administration console"),
                actor=None, note="Demo licences.")
        added += 1
    return added
