"""Time capacity's work on a seeded database (bench/capacity/seed.py), in-process:

    python -m bench.capacity.measure fixture.json [--only report,nightly,store,prometheus]
        [--points 500000] [--prometheus-series 200]

- `report`: GET the monthly utilisation report page of a service with Django's test
  client, signed in as the council's ICT manager: "one system" (two servers, 20 metrics)
  and "whole estate" (every seeded metric), each after two warm-up requests.
- `nightly`: what the night's jobs do after a day of collection: every metric marked as
  having taken points in since yesterday's local midnight, then `rollups.roll_up()` and
  `forecasts.forecast_all()`, each timed once (problems raised are counted).
- `store`: the floor first — PostgreSQL's COPY of fresh points into the points table
  (same indexes, same table size) — then `ingest.store` of as many other fresh points,
  in batches of 5,000 (what one push of Telegraf's might hold), for new metrics, and the
  same again through `ingest.push` (parsing line protocol included). The points are
  removed afterwards. SQLite has no COPY: its floor is executemany of plain inserts.
- `prometheus`: a real Prometheus (Debian's) started on a TSDB backfilled by `promtool
  tsdb create-blocks-from openmetrics` with N series of 15-second samples over 40 hours;
  one source with a metric per series; `prometheus.collect_source` timed (every query,
  its JSON, and the store), after the same queries fetched alone (the floor: Prometheus
  and HTTP without Borough's writing).

Prints JSON."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from borough.accounts.models import User  # noqa: E402
from borough.capacity import forecasts, ingest, prometheus, rollups  # noqa: E402
from borough.capacity import models as m  # noqa: E402
from borough.capacity.ingest import raw_cutoff  # noqa: E402
from borough.catalogue.models import ServiceComponent  # noqa: E402
from borough.cmdb.models import CIClass, ConfigurationItem  # noqa: E402
from borough.core import services  # noqa: E402

BATCH = 5000
STEP = 15
HOURS = 40


def log(message: str) -> None:
    print(f"[capacity measure {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def figures(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {"requests": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 0.95), 1), "max_ms": round(max(ms), 1)}


# --- the report page -------------------------------------------------------------------

def report(fixture: dict, requests: int) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=fixture["keeper"]))
    year, month = fixture["report_month"]
    found = {}
    for key, pk in fixture["services"].items():
        url = f"/capacity/reports/services/{pk}/{year}/{month}/"
        for _ in range(2):
            assert client.get(url).status_code == 200
        # The client's request_started resets connection.queries: count them as they run.
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = client.get(url)
        times, cpu = [], []
        count = requests if key == "typical" else max(requests // 2, 10)
        for _ in range(count):
            started, used = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            assert response.status_code == 200
        # The process's own CPU (not PostgreSQL's) moves less than the wall clock on a
        # shared machine.
        spent = figures(cpu)
        found[key] = {**figures(times), "cpu_p50_ms": spent["p50_ms"],
                      "cpu_p95_ms": spent["p95_ms"], "url": url, "queries": len(queries),
                      "bytes": len(response.content),
                      "metrics": m.Metric.objects.filter(configuration_item_id__in=(
                          ServiceComponent.objects.filter(service_id=pk)
                          .values("configuration_item_id"))).count()}
        log(f"report {key}: {found[key]}")
    return found


# --- the night's jobs ------------------------------------------------------------------

def nightly(fixture: dict) -> dict:
    now = timezone.now()
    yesterday = (now.astimezone(ingest.zone()) - datetime.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    m.Metric.objects.filter(pk__in=fixture["metrics"]).update(dirty_from=yesterday)
    started = time.perf_counter()
    rolled = rollups.roll_up(now)
    roll_seconds = time.perf_counter() - started
    started = time.perf_counter()
    forecast = forecasts.forecast_all(now)
    forecast_seconds = time.perf_counter() - started
    found = {"rollup_seconds": round(roll_seconds, 1), "rollup": rolled,
             "forecast_seconds": round(forecast_seconds, 1), "forecast": forecast,
             "total_seconds": round(roll_seconds + forecast_seconds, 1)}
    log(f"nightly: {found}")
    return found


# --- storing points --------------------------------------------------------------------

def fresh_metrics(fixture: dict, label: str, count: int) -> list[int]:
    organisation_id = fixture["organisation"]
    keeper = User.objects.get(username=fixture["keeper"])
    server = CIClass.objects.get(organisation_id=organisation_id, code="virtual-server")
    item = services.create_record(ConfigurationItem(
        organisation_id=organisation_id, name=f"BENCH-INGEST-{label}-{time.time_ns()}",
        ci_class=server, status="live", attributes={"hostname": label}), actor=keeper)
    m.Metric.objects.bulk_create([m.Metric(
        organisation_id=organisation_id, configuration_item=item, name=f"{label}_{n}",
        source_key=f"bench_{label},host={item.pk},n={n} value") for n in range(count)])
    return list(m.Metric.objects.filter(configuration_item=item).order_by("pk")
                .values_list("pk", flat=True))


def fresh_points(metric_ids: list[int], total: int) -> list[tuple[int, datetime.datetime, float]]:
    """`total` points spread over the metrics, a minute apart, ending now."""
    per = total // len(metric_ids)
    end = timezone.now().replace(second=0, microsecond=0)
    times = [end - datetime.timedelta(minutes=per - k) for k in range(per)]
    assert times[0] > raw_cutoff()
    return [(metric_id, at, float(k % 97)) for metric_id in metric_ids
            for k, at in enumerate(times)]


def copy_floor(points) -> float:
    """Seconds to COPY the points into the points table (SQLite: executemany)."""
    table = m.Point._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            with raw.copy(f"COPY {table} (metric_id, at, value) FROM STDIN") as copy:
                for row in points:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            raw.executemany(f"INSERT INTO {table} (metric_id, at, value) "  # noqa: S608
                            "VALUES (?, ?, ?)", [(i, adapt(a), v) for i, a, v in points])
    return time.perf_counter() - started


def timed_store(points) -> float:
    started = time.perf_counter()
    for start in range(0, len(points), BATCH):
        ingest.store(points[start:start + BATCH])
    return time.perf_counter() - started


def timed_push(fixture: dict, metric_ids: list[int], points) -> tuple[float, int]:
    keys = dict(m.Metric.objects.filter(pk__in=metric_ids).values_list("pk", "source_key"))
    lines = []
    for metric_id, at, value in points:
        measurement, field = keys[metric_id].rsplit(" ", 1)
        lines.append(f"{measurement} {field}={value} {int(at.timestamp())}")
    keeper = User.objects.get(username=fixture["keeper"])
    started = time.perf_counter()
    refused = 0
    for start in range(0, len(lines), BATCH):
        result = ingest.push(fixture["organisation"], "\n".join(lines[start:start + BATCH]),
                             precision="s", actor=keeper, detail="bench")
        refused += result.outcome.refused
    return time.perf_counter() - started, refused


def store(fixture: dict, total: int) -> dict:
    found = {"points": total, "batch": BATCH}
    made = []
    for label, run in (("copy", "floor"), ("store", "store"), ("push", "push")):
        ids = fresh_metrics(fixture, label, 100)
        made += ids
        points = fresh_points(ids, total)
        if run == "floor":
            seconds = copy_floor(points)
        elif run == "store":
            seconds = timed_store(points)
        else:
            seconds, refused = timed_push(fixture, ids, points)
            found["push_refused"] = refused
        found[f"{run}_seconds"] = round(seconds, 2)
        found[f"{run}_points_per_second"] = round(len(points) / seconds)
        log(f"{run}: {len(points):,} points in {seconds:.1f} s")
    found["store_vs_floor"] = round(found["store_seconds"] / found["floor_seconds"], 2)
    found["push_vs_floor"] = round(found["push_seconds"] / found["floor_seconds"], 2)
    m.Point.objects.filter(metric_id__in=made).delete()
    ConfigurationItem.objects.filter(metrics__pk__in=made).distinct().delete()
    return found


# --- Prometheus ------------------------------------------------------------------------

def backfilled_prometheus(root: Path, series: int, end: int) -> tuple[subprocess.Popen, str]:
    """A Prometheus serving `series` series of 15-second samples over HOURS hours up to
    `end` (unix seconds), from a TSDB promtool backfilled."""
    source = root / "bench.om"
    start = end - HOURS * 3600
    with source.open("w") as out:
        out.write("# HELP bench_value A benchmark series.\n# TYPE bench_value gauge\n")
        for n in range(series):
            out.write("".join(f'bench_value{{series="{n}"}} {(t // STEP + n) % 101} {t}\n'
                              for t in range(start, end, STEP)))
        out.write("# EOF\n")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source),
                    str(root / "data")], check=True, capture_output=True)
    source.unlink()
    (root / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\n")
    from tests.slapd import free_port

    port = free_port()
    log_file = (root / "prometheus.log").open("w")
    process = subprocess.Popen(
        ["prometheus", f"--config.file={root / 'prometheus.yml'}",
         f"--storage.tsdb.path={root / 'data'}", "--storage.tsdb.retention.time=100d",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/query?query=count(bench_value)",  # noqa: S310
                                        timeout=5) as response:
                result = json.loads(response.read())["data"]["result"]
            if result and int(float(result[0]["value"][1])) == series:
                return process, base
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("Prometheus did not serve the backfilled series: "
                       + (root / "prometheus.log").read_text()[-2000:])


def from_prometheus(fixture: dict, series: int) -> dict:
    if not shutil.which("prometheus") or not shutil.which("promtool"):
        return {"skipped": "prometheus and promtool are not installed"}
    root = Path(tempfile.mkdtemp(prefix="bench-prometheus-"))
    now = timezone.now()
    end = int(now.timestamp()) // STEP * STEP - STEP
    started = time.perf_counter()
    process, base = backfilled_prometheus(root, series, end)
    backfill_seconds = time.perf_counter() - started
    try:
        keeper = User.objects.get(username=fixture["keeper"])
        source = services.create_record(m.PrometheusSource(
            organisation_id=fixture["organisation"], name=f"Bench {time.time_ns()}",
            base_url=base, step_seconds=STEP, first_run_hours=HOURS), actor=keeper)
        ids = fresh_metrics(fixture, "prom", series)
        for n, metric_id in enumerate(ids):
            m.Metric.objects.filter(pk=metric_id).update(
                prometheus_source=source, promql=f'bench_value{{series="{n}"}}', source_key="")
        metrics = list(m.Metric.objects.filter(pk__in=ids).order_by("pk"))
        window_start = now - datetime.timedelta(hours=HOURS)
        started = time.perf_counter()
        fetched = 0
        for metric in metrics:
            fetched += len(prometheus.query_range(source, metric.promql, window_start, now, STEP))
        fetch_seconds = time.perf_counter() - started
        started = time.perf_counter()
        run = prometheus.collect_source(source, now=now)
        collect_seconds = time.perf_counter() - started
        found = {"series": series, "step_seconds": STEP, "hours": HOURS,
                 "backfill_and_start_seconds": round(backfill_seconds, 1),
                 "points": run.accepted, "errors": run.refused,
                 "fetch_only_seconds": round(fetch_seconds, 2),
                 "fetch_only_points": fetched,
                 "collect_seconds": round(collect_seconds, 2),
                 "collect_points_per_second": round(run.accepted / collect_seconds),
                 "collect_vs_fetch_only": round(collect_seconds / fetch_seconds, 2)}
        m.Point.objects.filter(metric_id__in=ids).delete()
        ConfigurationItem.objects.filter(metrics__pk__in=ids).distinct().delete()
        log(f"prometheus: {found}")
        return found
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def storage(fixture: dict) -> dict:
    points = m.Point.objects.count()
    rollup_rows = m.Rollup.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            def size(table: str) -> int:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                return cursor.fetchone()[0]
        else:
            def size(table: str) -> int:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                               "(SELECT name FROM sqlite_master WHERE tbl_name = %s)", [table])
                return cursor.fetchone()[0] or 0
        try:
            point_bytes, rollup_bytes = size(m.Point._meta.db_table), size(m.Rollup._meta.db_table)
        except Exception as exc:  # noqa: BLE001 - SQLite built without dbstat
            return {"points": points, "rollups": rollup_rows, "error": str(exc)}
    return {"points": points, "rollups": rollup_rows, "points_mb": round(point_bytes / 2**20, 1),
            "rollups_mb": round(rollup_bytes / 2**20, 1),
            "mb_per_million_points": round(point_bytes / 2**20 / points * 1e6, 1),
            "mb_per_million_rollups": round(rollup_bytes / 2**20 / rollup_rows * 1e6, 1),
            "includes": "the table and its indexes"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture")
    parser.add_argument("--only", default="")
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--prometheus-series", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    fixture = json.loads(Path(args.fixture).read_text())
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only  # noqa: E731
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    found = {"storage": storage(fixture)}
    # The night first: the report reads the forecasts it makes.
    if wanted("nightly"):
        found["nightly"] = nightly(fixture)
    if wanted("report"):
        found["report"] = report(fixture, args.requests)
    if wanted("store"):
        found["store"] = store(fixture, args.points)
    if wanted("prometheus"):
        found["prometheus"] = from_prometheus(fixture, args.prometheus_series)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
