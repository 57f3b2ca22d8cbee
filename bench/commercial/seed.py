"""Seed one council with a commercial picture at volume: an estate in its CMDB, suppliers,
contracts and what they cover, licences with entitlements and counts, and two financial
years of ICT finance (cost centres, budgets, cost lines, cost pools).

Run after `borough migrate` and `borough demo` against the benchmark's database:

    python -m bench.commercial.seed --size 1m --fixture out.json

The estate is bench/cmdb's (bench/cmdb/seed.py: applications on servers on hosts and
storage, devices on their standard builds), and every other row goes in as the service
desk's seeder writes them (bench/servicedesk/seed.py's `Writer`: COPY on PostgreSQL,
executemany on SQLite, batches of 10,000, explicit ids), with secondary indexes dropped
and rebuilt once on PostgreSQL for big loads. Reference counters and id sequences are
moved past the rows, and the tables analysed (what autovacuum would have done by the time
anyone looks). No audit events or history versions are written for seeded rows: the
pages measured read none.

The shape (docs: bench/README.md, "Commercial"):

- suppliers: one for every ten contracts;
- contracts: started up to eight years ago, ending from two years ago to five years on
  (55 % fixed term, 35 % renewing automatically, 10 % rolling), a notice period of 1-6
  months or 30-90 days, notice given on a tenth; each covers one to three items (60 %
  systems, the rest servers, storage and network devices);
- licences: of a system, from a supplier, a third under a contract of theirs, across the
  six licence models and every way of counting use (the systems catalogue's users,
  installations, devices on a standard build or all devices, server cores, entered by
  hand); one to three entitlements each (the current term, often an expired one before
  it); two counts entered by hand for each licence counted that way;
- finance: cost centres each belonging to a service unit, a budget per centre and year,
  cost lines posted evenly from 1 April of the previous financial year to today (so the
  previous year is whole and the current one runs to date): 45 % allocated to an item
  (a system, or a server, storage or network device: hardware maintenance), 10 % to a
  contract, the rest to nothing; a supplier on most, a credit on one in fifty; and the
  previous year's cost pools, every centre in one: by users, by devices, direct and by
  fixed percentages (with their shares). End-user devices are given a service unit each
  (the CMDB's seeder leaves them without), as the devices basis counts them per unit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.cmdb import seed as cmdb_seed  # noqa: E402
from bench.servicedesk.seed import BATCH, BulkLoad, Writer  # noqa: E402
from borough.cmdb import rules  # noqa: E402
from borough.cmdb.models import CIClass, ConfigurationItem  # noqa: E402
from borough.commercial import dates  # noqa: E402
from borough.commercial import models as cm  # noqa: E402
from borough.core.models import ReferenceCounter  # noqa: E402
from borough.finance import models as fm  # noqa: E402
from borough.finance.years import FinancialYear  # noqa: E402
from borough.licences import models as lm  # noqa: E402
from borough.organisation.models import Organisation, Person, ServiceUnit  # noqa: E402

# items, relationships in the CMDB; contracts, licences, cost lines, cost centres.
SIZES = {
    "tiny": {"items": 300, "relationships": 1_200, "contracts": 100, "licences": 300,
             "cost_lines": 3_000, "cost_centres": 8},
    "10k": {"items": 10_000, "relationships": 40_000, "contracts": 1_000, "licences": 5_000,
            "cost_lines": 100_000, "cost_centres": 30},
    "1m": {"items": 20_000, "relationships": 80_000, "contracts": 10_000, "licences": 50_000,
           "cost_lines": 1_000_000, "cost_centres": 60},
}
D = Decimal
INFRASTRUCTURE = (rules.PHYSICAL_SERVER, rules.VIRTUAL_SERVER, rules.STORAGE,
                  rules.NETWORK_DEVICE)
HARDWARE_LINES = (rules.PHYSICAL_SERVER, rules.STORAGE, rules.NETWORK_DEVICE)
KINDS = ["contract", "maintenance", "maintenance", "support", "subscription", "lease"]
ROUTES = ["framework", "open", "restricted", "quotations", "direct", "other", ""]
NARRATIVES = ["Support and maintenance", "Annual subscription", "Hardware maintenance",
              "Licence renewal", "Consultancy", "Hosting", "Telephony charges",
              "Professional services", "Network services", "Software purchase"]
# (licence model, counted from, share of licences)
LICENCE_MIX = [
    (lm.LicenceModel.NAMED_USER, lm.CountedFrom.USERS, 30),
    (lm.LicenceModel.NAMED_USER, lm.CountedFrom.ENTERED, 10),
    (lm.LicenceModel.DEVICE, lm.CountedFrom.DEVICES, 8),
    (lm.LicenceModel.DEVICE, lm.CountedFrom.INSTALLATIONS, 10),
    (lm.LicenceModel.CONCURRENT, lm.CountedFrom.ENTERED, 10),
    (lm.LicenceModel.SITE, lm.CountedFrom.USERS, 5),
    (lm.LicenceModel.CORE, lm.CountedFrom.CORES, 12),
    (lm.LicenceModel.SUBSCRIPTION, lm.CountedFrom.USERS, 10),
    (lm.LicenceModel.SUBSCRIPTION, lm.CountedFrom.ENTERED, 5),
]


def log(message: str) -> None:
    print(f"[commercial seed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


class Rows(Writer):
    """The service desk's writer, with each field's default filled in where a row leaves
    it out, and dates as text on SQLite (its default adapters are deprecated)."""

    def __init__(self, model):
        super().__init__(model)
        self.defaults = {f.attname: (f.get_default() if not f.null or f.has_default()
                                     else None) for f in self.fields}

    def _converter(self, f):
        if f.get_internal_type() == "DateField" and not self.postgres:
            return lambda v: None if v is None else v.isoformat()
        if f.get_internal_type() == "DecimalField" and not self.postgres:
            return lambda v: None if v is None else str(v)
        return super()._converter(f)

    def row(self, **values) -> dict:
        return {**self.defaults, "id": self.take_id(), **values}

    def flush(self, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            with transaction.atomic():
                self.write(rows[start:start + BATCH])


def _ids(organisation, codes) -> list[int]:
    return list(ConfigurationItem.objects.filter(organisation=organisation,
                                                 ci_class__code__in=list(codes))
                .order_by("pk").values_list("pk", flat=True))


def _counter(organisation, prefix: str, last: int) -> None:
    ReferenceCounter.objects.update_or_create(organisation=organisation, prefix=prefix,
                                              defaults={"last_value": last})


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randint(low * 100, high * 100)) / 100


def staff(organisation) -> None:
    """Service units with people in them, for a council that has none (the demo's have
    them): the users basis counts people, and each unit gets a statement."""
    units = list(ServiceUnit.objects.filter(organisation=organisation))
    if not units:
        units = [ServiceUnit.objects.create(organisation=organisation, name=f"Unit {n}")
                 for n in range(1, 6)]
    if not Person.objects.filter(organisation=organisation, is_active=True,
                                 service_unit__isnull=False).exists():
        Person.objects.bulk_create([
            Person(organisation=organisation, full_name=f"Person {unit.pk}-{n}",
                   service_unit=unit) for unit in units for n in range(1, 2 + unit.pk % 4)])


def estate(organisation, size: dict, stats: dict) -> None:
    """The CMDB's estate (bench/cmdb/seed.py), then a service unit for each end-user
    device, so the devices basis has something to count per unit."""
    if ConfigurationItem.objects.filter(organisation=organisation).exists():
        raise SystemExit(f"{organisation} has a CMDB already: seed a fresh database.")
    _, _, figures = cmdb_seed.seed(organisation, size["items"], size["relationships"])
    stats["estate"] = figures
    units = list(ServiceUnit.objects.filter(organisation=organisation).order_by("pk")
                 .values_list("pk", flat=True))
    devices = CIClass.objects.get(organisation=organisation, code=rules.END_USER_DEVICE)
    with transaction.atomic(), connection.cursor() as cursor:
        for index, unit in enumerate(units):
            # Unbalanced on purpose: a unit's share grows with its position.
            cursor.execute("UPDATE cmdb_configurationitem SET service_unit_id = %s "
                           "WHERE organisation_id = %s AND ci_class_id = %s "
                           "AND id %% %s = %s", [unit, organisation.pk, devices.pk,
                                                 len(units), index])


def commercial(organisation, size: dict, rng: random.Random, now, stats: dict) -> dict:
    """Suppliers, contracts and their covers. Returns what licences and finance need."""
    today = timezone.localdate()
    people = list(Person.objects.filter(organisation=organisation).order_by("pk")
                  .values_list("pk", flat=True))
    systems = _ids(organisation, [rules.APPLICATION])
    infrastructure = _ids(organisation, INFRASTRUCTURE)
    stamps = {"organisation_id": organisation.pk, "created_at": now, "updated_at": now,
              "version": 1}
    writers = {model: Rows(model) for model in (cm.Supplier, cm.Contract, cm.ContractCover)}
    suppliers, contracts, covers = [], [], []
    for n in range(1, max(3, size["contracts"] // 10) + 1):
        suppliers.append(writers[cm.Supplier].row(
            **stamps, reference=f"SUP-{n:06d}", name=f"Supplier {n:05d} Ltd",
            company_number=f"{rng.randint(100000, 99999999):08d}",
            criticality=rng.choice(["low", "medium", "medium", "high", "critical"]),
            risk=rng.choice(["low", "medium", "high"]), status="active",
            manager_id=rng.choice(people) if people else None, review_every_months=12))
    supplier_ids = [s["id"] for s in suppliers]
    by_supplier: dict[int, list[int]] = {}
    for n in range(1, size["contracts"] + 1):
        supplier = rng.choice(supplier_ids)
        start = today - datetime.timedelta(days=rng.randint(30, 8 * 365))
        terms = rng.choices(["fixed", "auto", "rolling"], weights=[55, 35, 10])[0]
        end = today + datetime.timedelta(days=rng.randint(-2 * 365, 5 * 365))
        if end < start:
            end = start + datetime.timedelta(days=365 * rng.randint(1, 3))
        annual = _money(rng, 1_000, 250_000)
        years = max(1, (end - start).days // 365)
        in_months = rng.random() < 0.7
        contract = writers[cm.Contract].row(
            **stamps, reference=f"CON-{n:06d}",
            title=f"{rng.choice(NARRATIVES)} {n:05d}", supplier_id=supplier,
            kind=rng.choice(KINDS), owner_id=rng.choice(people) if people else None,
            annual_value=annual, whole_life_value=annual * years, start_date=start,
            end_date=None if terms == "rolling" else end, renewal_terms=terms,
            renewal_months=12 if terms == "auto" else None,
            notice_period=rng.randint(1, 6) if in_months else rng.choice([30, 60, 90]),
            notice_unit="months" if in_months else "days",
            notice_given_on=(today - datetime.timedelta(days=rng.randint(1, 60))
                             if rng.random() < 0.1 and start < today - datetime.timedelta(
                                 days=60) else None),
            procurement_route=rng.choice(ROUTES),
            procurement_reference=f"PO{n:07d}" if rng.random() < 0.5 else "")
        # The dates Contract.save() keeps (these rows are written without it).
        kept = dates.Terms(start, contract["end_date"], terms, contract["renewal_months"],
                           contract["notice_period"], contract["notice_unit"],
                           contract["notice_given_on"])
        contract["next_term_end"] = dates.term_end(kept, today)
        contract["next_notice_by"] = dates.notice_by(kept, today)
        contracts.append(contract)
        by_supplier.setdefault(supplier, []).append(contract["id"])
        chosen = set()
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            pool = systems if rng.random() < 0.6 or not infrastructure else infrastructure
            chosen.add(rng.choice(pool))
        for item in sorted(chosen):
            covers.append(writers[cm.ContractCover].row(
                **stamps, contract_id=contract["id"], configuration_item_id=item,
                note=rng.choice(["", "licences and support", "hardware maintenance only"])))
    started = time.monotonic()
    with BulkLoad(list(writers), enabled=size["contracts"] >= 5_000):
        writers[cm.Supplier].flush(suppliers)
        writers[cm.Contract].flush(contracts)
        writers[cm.ContractCover].flush(covers)
    _counter(organisation, "SUP", len(suppliers))
    _counter(organisation, "CON", len(contracts))
    stats["commercial_write_seconds"] = round(time.monotonic() - started, 1)
    return {"suppliers": supplier_ids, "by_supplier": by_supplier, "systems": systems,
            "contracts": [c["id"] for c in contracts], "people": people,
            "writers": writers}


def licences(organisation, size: dict, rng: random.Random, now, made: dict,
             stats: dict) -> None:
    today = timezone.localdate()
    builds = _ids(organisation, [rules.STANDARD_BUILD])
    systems = made["systems"]
    names = dict(ConfigurationItem.objects.filter(pk__in=systems).values_list("pk", "name"))
    stamps = {"organisation_id": organisation.pk, "created_at": now, "updated_at": now,
              "version": 1}
    writers = {model: Rows(model) for model in (lm.Licence, lm.Entitlement,
                                                lm.ConsumptionCount)}
    mix = [(model, counted) for model, counted, _ in LICENCE_MIX]
    weights = [share for *_, share in LICENCE_MIX]
    rows, entitlements, counts = [], [], []
    for n in range(1, size["licences"] + 1):
        model, counted = rng.choices(mix, weights=weights)[0]
        software = rng.choice(systems)
        supplier = rng.choice(made["suppliers"])
        theirs = made["by_supplier"].get(supplier)
        contract = rng.choice(theirs) if theirs and rng.random() < 0.35 else None
        build = (rng.choice(builds) if counted == lm.CountedFrom.DEVICES and builds
                 and rng.random() < 0.5 else None)
        licence = writers[lm.Licence].row(
            **stamps, reference=f"LIC-{n:06d}",
            name=f"{names[software]} {model.label.lower()} {n:06d}"[:200],
            software_id=software, supplier_id=supplier, contract_id=contract,
            licence_model=model, counted_from=counted, standard_build_id=build)
        rows.append(licence)
        quantity = 1 if model == lm.LicenceModel.SITE else rng.randint(5, 2_000)
        unit = _money(rng, 5, 400)
        start = today - datetime.timedelta(days=rng.randint(1, 700))
        perpetual = rng.random() < 0.15
        entitlements.append(writers[lm.Entitlement].row(
            **stamps, licence_id=licence["id"], quantity=quantity, term_start=start,
            term_end=None if perpetual else start + datetime.timedelta(
                days=rng.choice([365, 730, 1095])),
            cost=unit * quantity, contract_id=contract,
            order_reference=f"PO{rng.randint(1, 9_999_999):07d}"))
        for _ in range(rng.choice([0, 0, 1, 2])):  # earlier terms, now expired
            earlier = start - datetime.timedelta(days=rng.randint(366, 1_500))
            entitlements.append(writers[lm.Entitlement].row(
                **stamps, licence_id=licence["id"], quantity=max(1, quantity // 2),
                term_start=earlier, term_end=earlier + datetime.timedelta(days=364),
                cost=unit * max(1, quantity // 2), contract_id=None))
        if counted == lm.CountedFrom.ENTERED:
            for back in (rng.randint(100, 300), rng.randint(1, 99)):
                counts.append(writers[lm.ConsumptionCount].row(
                    **stamps, licence_id=licence["id"],
                    count=max(0, int(quantity * rng.uniform(0.5, 1.3))),
                    counted_on=today - datetime.timedelta(days=back),
                    counted_by_id=rng.choice(made["people"]) if made["people"] else None,
                    how="peak from the supplier's portal"))
    started = time.monotonic()
    with BulkLoad(list(writers), enabled=size["licences"] >= 20_000):
        for model, found in ((lm.Licence, rows), (lm.Entitlement, entitlements),
                             (lm.ConsumptionCount, counts)):
            writers[model].flush(found)
    _counter(organisation, "LIC", len(rows))
    made["writers"].update(writers)
    stats["licences_write_seconds"] = round(time.monotonic() - started, 1)


def finance(organisation, size: dict, rng: random.Random, now, made: dict,
            stats: dict) -> dict:
    today = timezone.localdate()
    this_year = FinancialYear.of(today)
    last_year = this_year.previous()
    units = list(ServiceUnit.objects.filter(organisation=organisation).order_by("pk")
                 .values_list("pk", flat=True))
    stamps = {"organisation_id": organisation.pk, "created_at": now, "updated_at": now,
              "version": 1}
    writers = {model: Rows(model) for model in (fm.CostCentre, fm.Budget, fm.CostLine,
                                                fm.CostPool, fm.PoolShare)}
    centres = [writers[fm.CostCentre].row(
        **stamps, code=f"ICT{n:03d}", name=f"ICT cost centre {n}",
        service_unit_id=units[n % len(units)] if units else None, is_active=True)
        for n in range(1, size["cost_centres"] + 1)]
    budgets = [writers[fm.Budget].row(**stamps, year=year.start_year, cost_centre_id=c["id"],
                                      amount=_money(rng, 50_000, 2_000_000),
                                      monthly_profile=[], note="")
               for year in (last_year, this_year) for c in centres]
    writers[fm.CostCentre].flush(centres)
    writers[fm.Budget].flush(budgets)
    systems = made["systems"]
    hardware = _ids(organisation, HARDWARE_LINES)
    contracts = made["contracts"]
    first = last_year.start
    days = (today - first).days + 1
    lines = writers[fm.CostLine]
    count = size["cost_lines"]
    started = time.monotonic()
    centre_ids = [c["id"] for c in centres]
    with BulkLoad([fm.CostLine], enabled=count >= 50_000):
        batch = []
        for n in range(count):
            day = first + datetime.timedelta(days=n * days // count)
            roll = rng.random()
            item = contract = None
            if roll < 0.30:
                item = rng.choice(systems)
            elif roll < 0.45:
                item = rng.choice(hardware) if hardware else rng.choice(systems)
            elif roll < 0.55:
                contract = rng.choice(contracts)
            amount = _money(rng, 10, 20_000)
            if rng.random() < 0.02:
                amount = -_money(rng, 10, 2_000)
            batch.append(lines.row(
                **stamps, date=day, year=FinancialYear.of(day).start_year, amount=amount,
                description=rng.choice(NARRATIVES), cost_centre_id=rng.choice(centre_ids),
                supplier_id=rng.choice(made["suppliers"]) if rng.random() < 0.7 else None,
                transaction_reference=f"AP{n + 1:09d}", configuration_item_id=item,
                service_id=None, contract_id=contract))
            if len(batch) == BATCH:
                with transaction.atomic():
                    lines.write(batch)
                batch = []
        with transaction.atomic():
            lines.write(batch)
    stats["cost_lines_write_seconds"] = round(time.monotonic() - started, 1)
    # The previous year's pools: every cost centre in one of them.
    shuffled = centre_ids[:]
    rng.shuffle(shuffled)
    cut = [0, len(shuffled) * 3 // 10, len(shuffled) * 5 // 10, len(shuffled) * 9 // 10,
           len(shuffled)]
    plans = [("Infrastructure and network", fm.Basis.USERS),
             ("End-user computing", fm.Basis.DEVICES),
             ("Business applications", fm.Basis.DIRECT),
             ("Service desk and management", fm.Basis.PERCENTAGE)]
    pools, members, shares = [], [], []
    through = fm.CostPool.cost_centres.through
    for (name, basis), low, high in zip(plans, cut, cut[1:], strict=False):
        pool = writers[fm.CostPool].row(**stamps, year=last_year.start_year, name=name,
                                        basis=basis, description="", amount=None)
        pools.append(pool)
        members += [{"costpool_id": pool["id"], "costcentre_id": c} for c in shuffled[low:high]]
    strategy = writers[fm.CostPool].row(**stamps, year=last_year.start_year,
                                        name="ICT strategy and governance",
                                        basis=fm.Basis.PERCENTAGE, description="",
                                        amount=D("45000.00"))
    pools.append(strategy)
    for pool in (pools[3], strategy):
        percents = [D(100) / len(units)] * len(units)
        percents = [p.quantize(D("0.001")) for p in percents]
        percents[-1] += D(100) - sum(percents)
        shares += [writers[fm.PoolShare].row(**stamps, pool_id=pool["id"], service_unit_id=u,
                                             percent=p)
                   for u, p in zip(units, percents, strict=True)]
    for model, found in ((fm.CostPool, pools), (fm.PoolShare, shares)):
        writers[model].flush(found)
    fm.CostPool.cost_centres.through.objects.bulk_create(
        [through(**m) for m in members], batch_size=1_000)
    made["writers"].update(writers)
    made["writers"]["through"] = through
    return {"recharge_year": last_year.start_year, "cost_year": this_year.start_year}


def seed(organisation: Organisation, size: dict, seed_value: int = 23) -> tuple[dict, dict]:
    """Returns (figures of the seeding, what measuring needs)."""
    rng = random.Random(seed_value)
    now = timezone.now()
    stats: dict = {}
    started = time.monotonic()
    staff(organisation)
    estate(organisation, size, stats)
    log(f"estate: {stats['estate']}")
    made = commercial(organisation, size, rng, now, stats)
    log(f"{len(made['contracts']):,} contracts written")
    licences(organisation, size, rng, now, made, stats)
    log(f"{size['licences']:,} licences written")
    years = finance(organisation, size, rng, now, made, stats)
    log(f"{size['cost_lines']:,} cost lines written")
    writers = made.pop("writers")
    models = [key if key != "through" else model for key, model in writers.items()]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    if not connection.in_atomic_block:  # a test's transaction cannot VACUUM
        begun = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        stats["analyze_seconds"] = round(time.monotonic() - begun, 1)
    stats["seconds"] = round(time.monotonic() - started, 1)
    return stats, years


def counts(organisation) -> dict:
    """The seeded council's rows (the demo's other council is not counted)."""
    org = {"organisation": organisation}
    return {
        "items": ConfigurationItem.objects.filter(**org).count(),
        "systems": ConfigurationItem.objects.filter(
            **org, ci_class__code=rules.APPLICATION).count(),
        "devices": ConfigurationItem.objects.filter(
            **org, ci_class__code=rules.END_USER_DEVICE).count(),
        "suppliers": cm.Supplier.objects.filter(**org).count(),
        "contracts": cm.Contract.objects.filter(**org).count(),
        "contract_covers": cm.ContractCover.objects.filter(**org).count(),
        "licences": lm.Licence.objects.filter(**org).count(),
        "entitlements": lm.Entitlement.objects.filter(**org).count(),
        "entered_counts": lm.ConsumptionCount.objects.filter(**org).count(),
        "cost_centres": fm.CostCentre.objects.filter(**org).count(),
        "cost_lines": fm.CostLine.objects.filter(**org).count(),
        "cost_pools": fm.CostPool.objects.filter(**org).count(),
        "service_units": ServiceUnit.objects.filter(**org).count(),
        "people": Person.objects.filter(**org).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--organisation", default="edc")
    parser.add_argument("--fixture", required=True, help="Write what measuring needs here.")
    args = parser.parse_args()
    organisation = Organisation.objects.get(code=args.organisation)
    stats, years = seed(organisation, SIZES[args.size])
    log(f"seeded: {stats}")
    with open(args.fixture, "w") as handle:
        json.dump({"organisation_id": organisation.pk, "size": args.size, **years,
                   "seeding": stats, "counts": counts(organisation)}, handle)


if __name__ == "__main__":
    main()
