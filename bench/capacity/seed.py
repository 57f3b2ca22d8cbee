"""Seed a year of five-minute utilisation into the first demo council, as a year of
collection, rollups and retention would have left it:

    python -m bench.capacity.seed --metrics 1000 --days 365 --fixture out.json

`--metrics / 10` virtual servers (BENCH-SRV-0001…), ten metrics each (bench/capacity/
series.py), with thresholds; two business services: "Bench: one system" runs on two of
the servers (20 metrics), "Bench: whole estate" on all of them. Raw points are written
for the raw retention (CAPACITY_RAW_RETENTION_DAYS, whole local days up to now), hourly
and daily rollups for the whole window: the rollups capacity.rollups would compute from
those points, computed here with numpy. Rows go in with COPY on PostgreSQL and
executemany on SQLite; no audit events for the metrics (nothing measured reads them).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.capacity import series  # noqa: E402
from borough.capacity import models as m  # noqa: E402
from borough.capacity.ingest import raw_cutoff, zone  # noqa: E402
from borough.catalogue.models import BusinessService, ServiceComponent  # noqa: E402
from borough.cmdb.models import CIClass, ConfigurationItem  # noqa: E402
from borough.core import services  # noqa: E402
from borough.demo import organisations  # noqa: E402

PER_ITEM = len(series.KINDS)
TYPICAL_ITEMS = 2


def log(message: str) -> None:
    print(f"[capacity seed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Copier:
    """Rows into one table: COPY (text) on PostgreSQL, executemany on SQLite."""

    def __init__(self, model, columns: list[str]):
        self.postgres = connection.vendor == "postgresql"
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.sql = (f"COPY {table} ({names}) FROM STDIN" if self.postgres
                    else f"INSERT INTO {table} ({names}) VALUES ({marks})")  # noqa: S608
        self.rows = 0

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.postgres:
                with raw.copy(self.sql) as copy:
                    copy.write("".join("\t".join(map(str, row)) + "\n" for row in rows))
            else:
                raw.executemany(self.sql, rows)
        self.rows += len(rows)


def instant_texts(seconds: np.ndarray, postgres: bool) -> list[str]:
    """Each instant as the database takes it: timestamptz text, or SQLite's naive UTC."""
    suffix = "+00" if postgres else ""
    return [datetime.datetime.fromtimestamp(int(s), datetime.UTC).strftime(
        "%Y-%m-%d %H:%M:%S") + suffix for s in seconds]


def make_estate(organisation, keeper, items: int) -> tuple[list[int], dict[str, int]]:
    server = CIClass.objects.get(organisation=organisation, code="virtual-server")
    made = []
    for n in range(1, items + 1):
        name = f"BENCH-SRV-{n:04d}"
        item = ConfigurationItem.objects.filter(organisation=organisation, name=name).first()
        made.append(item or services.create_record(ConfigurationItem(
            organisation=organisation, name=name, ci_class=server, status="live",
            attributes={"hostname": name.lower()}),
            actor=keeper, note="Capacity benchmark."))
    wanted = {"typical": ("Bench: one system", made[:TYPICAL_ITEMS]),
              "estate": ("Bench: whole estate", made)}
    found = {}
    for key, (name, components) in wanted.items():
        service = services.create_record(BusinessService(
            organisation=organisation, name=name, status="live", criticality="high"),
            actor=keeper, note="Capacity benchmark.")
        for item in components:
            services.create_record(ServiceComponent(organisation=organisation,
                                                    service=service,
                                                    configuration_item=item), actor=keeper)
        found[key] = service.pk
    return [i.pk for i in made], found


def make_metrics(organisation, keeper, item_ids: list[int]) -> list[int]:
    rows = []
    for item_id in item_ids:
        for name, unit, kind, _level, _swing, _trend, warning, critical in series.KINDS:
            rows.append(m.Metric(organisation=organisation, configuration_item_id=item_id,
                                 name=name, unit=unit, kind=kind, warning_threshold=warning,
                                 critical_threshold=critical, created_by=keeper,
                                 updated_by=keeper))
    m.Metric.objects.bulk_create(rows, batch_size=1000)
    return list(m.Metric.objects.filter(organisation=organisation,
                                        configuration_item_id__in=item_ids)
                .order_by("configuration_item_id", "pk").values_list("pk", flat=True))


def write_series(metric_ids: list[int], days: int, now: datetime.datetime) -> dict:
    tz = zone()
    today = now.astimezone(tz).date()
    line = series.timeline(today - datetime.timedelta(days=days), now, tz)
    postgres = connection.vendor == "postgresql"
    texts = instant_texts(line.seconds, postgres)
    raw_from = int(np.searchsorted(line.seconds, int(raw_cutoff(now).timestamp())))
    points = Copier(m.Point, ["metric_id", "at", "value"])
    columns = ["metric_id", "period", "start", "count", "total", "minimum", "mean",
               "maximum", "p95"]
    rollups = Copier(m.Rollup, columns)
    latest = []
    started = time.monotonic()
    for n, metric_id in enumerate(metric_ids):
        data = series.values(n, line)
        with transaction.atomic():
            points.write([(metric_id, texts[i], float(data[i]))
                          for i in range(raw_from, len(data))])
            for period, starts in (("hour", line.hour_starts), ("day", line.day_starts)):
                figures = series.rollups(data, starts)
                rollups.write([
                    (metric_id, period, texts[s], int(figures["count"][k]),
                     float(figures["total"][k]), float(figures["minimum"][k]),
                     float(figures["mean"][k]), float(figures["maximum"][k]),
                     float(figures["p95"][k])) for k, s in enumerate(starts)])
        latest.append((metric_id, float(data[-1])))
        if n % 100 == 99:
            log(f"{n + 1} metrics, {points.rows:,} points, {rollups.rows:,} rollups, "
                f"{time.monotonic() - started:.0f} s")
    at = datetime.datetime.fromtimestamp(int(line.seconds[-1]), datetime.UTC)
    for metric_id, value in latest:
        m.Metric.objects.filter(pk=metric_id).update(latest_at=at, latest_value=value,
                                                     dirty_from=None)
    return {"points": points.rows, "rollups": rollups.rows, "instants": len(line.seconds),
            "raw_from": texts[raw_from], "write_seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--fixture", required=True)
    args = parser.parse_args()
    organisation, keeper = organisations.copeland_keeper()
    if organisation is None:
        sys.exit("run `borough demo` first")
    now = timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        item_ids, service_ids = make_estate(organisation, keeper, args.metrics // PER_ITEM)
        metric_ids = make_metrics(organisation, keeper, item_ids)
    log(f"{len(item_ids)} servers, {len(metric_ids)} metrics")
    written = write_series(metric_ids, args.days, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    last_month = (now.astimezone(zone()).date().replace(day=1) - datetime.timedelta(days=1))
    fixture = {
        "organisation": organisation.pk, "keeper": keeper.username, "items": item_ids,
        "metrics": metric_ids, "services": service_ids, "days": args.days,
        "report_month": [last_month.year, last_month.month], "seeded_at": now.isoformat(),
        "counts": {**written, "metrics": len(metric_ids), "items": len(item_ids)},
        "seed_seconds": round(time.monotonic() - started, 1)}
    with open(args.fixture, "w") as out:
        json.dump(fixture, out)
    log(f"seeded in {fixture['seed_seconds']} s: {written}")


if __name__ == "__main__":
    main()
