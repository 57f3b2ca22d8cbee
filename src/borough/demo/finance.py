"""The demo council's ICT finance for the current financial year: three ICT cost centres
with their budgets (one with a monthly profile), the cost lines of the months so far
(support for the systems, hosting on the servers they run on, the network; a few not
allocated; a credit), an open commitment, monthly budget reviews, four cost pools each
with its rule, and a recharge run issued with a statement for each service unit. Safe to
run again: a council with cost centres already is left as it is. Cost lines are made in
one bulk insert (about a hundred rows)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from borough.cmdb.models import ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.finance import models as m
from borough.finance import queries
from borough.finance import services as finance
from borough.organisation.models import ServiceUnit

D = Decimal
CENTRES = [("ICT100", "ICT infrastructure", D("240000.00")),
           ("ICT200", "ICT applications", D("360000.00")),
           ("ICT300", "ICT service desk and management", D("180000.00"))]
# System or item, monthly cost, cost centre, description.
MONTHLY = [
    ("Financials", D("2150.00"), "ICT200", "Unit4 support and maintenance"),
    ("Council Tax and business rates", D("3400.00"), "ICT200", "Northgate revenues support"),
    ("Housing Benefit", D("2100.00"), "ICT200", "Northgate benefits support"),
    ("Planning and building control", D("1250.00"), "ICT200", "Idox support"),
    ("Payroll", D("980.00"), "ICT200", "MHR iTrent subscription"),
    ("Customer relationship management", D("760.00"), "ICT200", "Lagan support"),
    ("Council website", D("640.00"), "ICT200", "Jadu hosting and support"),
    ("Leisure bookings", D("410.00"), "ICT200", "Gladstone subscription"),
    ("WHVHOST01", D("1800.00"), "ICT100", "Server hardware maintenance"),
    ("WHV-SAN01", D("1200.00"), "ICT100", "Storage maintenance"),
    ("SQL01", D("450.00"), "ICT100", "SQL Server licences (revenues)"),
    ("Internet connection", D("1100.00"), "ICT100", "Janet connection"),
    (None, D("2750.00"), "ICT300", "Service desk tools and telephony"),
]


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper, today: datetime.date | None = None) -> int:
    """The year's finance for one council, kept by `keeper`; returns the cost lines
    added (0 when the council had cost centres already)."""
    if m.CostCentre.objects.filter(organisation=organisation).exists():
        return 0
    today = today or timezone.localdate()
    year = queries.year_of(today)
    ict = ServiceUnit.objects.filter(organisation=organisation, name="ICT").first()
    centres = {}
    for code, name, budget in CENTRES:
        centre = services.create_record(m.CostCentre(
            organisation=organisation, code=code, name=name, service_unit=ict), actor=None)
        centres[code] = centre
        profile = []
        if code == "ICT200":  # support renewals fall due in April and October
            profile = [str(a) for a in
                       [D("60000.00"), *[D("24000.00")] * 5, D("60000.00"),
                        *[D("24000.00")] * 5]]
            assert sum(D(a) for a in profile) == budget
        services.create_record(m.Budget(organisation=organisation, year=year.start_year,
                                        cost_centre=centre, amount=budget,
                                        monthly_profile=profile), actor=None)
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        organisation=organisation, name__in=[n for n, *_ in MONTHLY if n])}
    months = [start for start in year.months() if start <= today]
    lines = []
    for number, start in enumerate(months, start=1):
        for name, amount, code, description in MONTHLY:
            lines.append(m.CostLine(
                organisation=organisation, date=start + datetime.timedelta(days=14),
                year=year.start_year, amount=amount, description=description,
                cost_centre=centres[code], configuration_item=items.get(name),
                transaction_reference=f"AP{year.start_year}{number:02d}{len(lines):04d}",
                created_by=keeper, updated_by=keeper))
    if months:
        lines.append(m.CostLine(
            organisation=organisation, date=months[0] + datetime.timedelta(days=20),
            year=year.start_year, amount=D("-420.00"), description="Credit: duplicate invoice",
            cost_centre=centres["ICT200"], configuration_item=items.get("Financials"),
            transaction_reference=f"CR{year.start_year}0001", created_by=keeper,
            updated_by=keeper))
    m.CostLine.objects.bulk_create(lines, batch_size=500)
    finance.commit(organisation.pk, actor=None, amount=D("18500.00"), financial_year=year,
                   cost_centre=centres["ICT200"], source_reference="PR-2025-014",
                   description="Replacement financial management system: discovery phase")
    for start in months[-4:-1]:
        finance.record_review(organisation.pk, year, actor=keeper,
                              on=start + datetime.timedelta(days=9),
                              note="Figures reviewed at the ICT management meeting.")
    _pools(organisation, year, centres)
    keeper.active_organisation_id = organisation.pk
    try:
        run = finance.run_recharges(organisation.pk, year, actor=keeper)
    except Exception:  # noqa: BLE001 - a demo without enough records: no run, said below
        return len(lines)
    finance.issue_run(run, actor=keeper)
    return len(lines)


def _pools(organisation, year, centres: dict) -> None:
    units = list(ServiceUnit.objects.filter(organisation=organisation).order_by("name"))

    def pool(name, basis, description, *codes, amount=None):
        made = services.create_record(m.CostPool(
            organisation=organisation, year=year.start_year, name=name, basis=basis,
            description=description, amount=amount), actor=None)
        made.cost_centres.set([centres[c] for c in codes])
        return made

    pool("Infrastructure and network", m.Basis.USERS,
         "Servers, storage and the network, shared by the people of each unit.", "ICT100")
    pool("Business applications", m.Basis.DIRECT,
         "Each system's support to the unit that owns it.", "ICT200")
    tickets = queries.units_raising_tickets(organisation.pk, year)
    pool("Service desk", m.Basis.TICKETS if any(tickets.values()) else m.Basis.USERS,
         "The service desk, by the calls each unit's people raise.", "ICT300")
    strategy = pool("ICT strategy and governance", m.Basis.PERCENTAGE,
                    "Strategy, architecture and governance, by agreed percentages.",
                    amount=D("45000.00"))
    if units:
        weights = [D(100) / len(units)] * len(units)
        percents = [w.quantize(D("0.001")) for w in weights]
        percents[-1] += D(100) - sum(percents)
        m.PoolShare.objects.bulk_create([
            m.PoolShare(organisation=organisation, pool=strategy, service_unit=unit,
                        percent=percent)
            for unit, percent in zip(units, percents, strict=True)])
