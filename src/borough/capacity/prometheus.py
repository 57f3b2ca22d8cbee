"""Querying Prometheus sources: for each active source, each of its metrics' PromQL
query is run over /api/v1/query_range from the metric's latest point (or the source's
first-run window) to now, and the values are written through `ingest.store`, as pushes
are, so latest values, rollups and forecasts work unchanged. Each source's query is
recorded as a CollectionRun (source "prometheus") with its counts and, per metric, what
went wrong; one bad metric or source never stops the others (docs/capacity.md,
Prometheus)."""

from __future__ import annotations

import base64
import datetime
import json
import logging
import math
import os
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.utils import timezone

from borough.capacity import ingest
from borough.capacity.models import Metric, PrometheusAuth, PrometheusSource, Source

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
# Prometheus refuses a range query of more than 11,000 points a series.
MAX_POINTS = 10_000


class QueryError(Exception):
    """Why one metric's query gave nothing: said in the run's errors."""


def auth_header(source: PrometheusSource) -> str | None:
    """The Authorization header from the environment variable the source names.
    QueryError: the variable is not set."""
    if source.auth == PrometheusAuth.NONE:
        return None
    secret = os.environ.get(source.secret_env)
    if not secret:
        raise QueryError(f"the environment variable {source.secret_env} is not set where "
                         "Borough runs")
    if source.auth == PrometheusAuth.BEARER:
        return f"Bearer {secret}"
    pair = f"{source.username}:{secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def query_range(source: PrometheusSource, query: str, start: datetime.datetime,
                end: datetime.datetime, step: int, header: str | None = None) -> list:
    """The one series' values [[unix time, "value"], ...]. QueryError: anything wrong."""
    params = urlencode({"query": query, "start": f"{start.timestamp():.3f}",
                        "end": f"{end.timestamp():.3f}", "step": str(step)})
    url = f"{source.base_url.rstrip('/')}/api/v1/query_range?{params}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    if header:
        request.add_header("Authorization", header)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        detail = _prometheus_error(body)
        raise QueryError(f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
                         ) from None
    except urllib.error.URLError as exc:
        raise QueryError(f"could not reach {source.base_url}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise QueryError(f"could not reach {source.base_url}: {exc}") from None
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise QueryError("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise QueryError("the answer is not a Prometheus API answer")
    if answer.get("status") != "success":
        raise QueryError(f"Prometheus says: {answer.get('error') or 'error'}")
    data = answer.get("data") or {}
    if data.get("resultType") != "matrix":
        raise QueryError(f"the answer is a {data.get('resultType')}, not a range (matrix)")
    result = data.get("result") or []
    if len(result) > 1:
        raise QueryError(f"the query gives {len(result)} series, not one: narrow it with "
                         "labels or aggregate it (sum, avg)")
    if not result:
        return []
    values = result[0].get("values")
    if not isinstance(values, list):
        raise QueryError("the series has no values")
    return values


def _prometheus_error(body: bytes) -> str:
    try:
        answer = json.loads(body)
        return str(answer.get("error") or "")[:300]
    except (ValueError, UnicodeDecodeError, AttributeError):
        return ""


def collect_source(source: PrometheusSource, *, actor=None,
                   now: datetime.datetime | None = None):
    """Query each metric of `source` and record the run; returns the CollectionRun.
    Never raises for a metric's or the server's problem: it is in the run's errors."""
    started = timezone.now()
    now = now or started
    outcome = ingest.Outcome(Source.PROMETHEUS, detail=f"{source.name} ({source.base_url})")
    metrics = list(Metric.objects.filter(prometheus_source=source).exclude(promql="")
                   .order_by("pk"))
    cutoff = ingest.raw_cutoff(now)
    step = max(int(source.step_seconds), 1)
    try:
        header = auth_header(source)
    except QueryError as exc:
        for number, metric in enumerate(metrics, start=1):
            outcome.refuse(number, f"{metric.name}: {exc}")
        metrics = []
        header = None
    # Every metric of a source is read on the same grid of steps: each time once.
    moments: dict[float, datetime.datetime] = {}
    for number, metric in enumerate(metrics, start=1):
        outcome.lines += 1
        if metric.latest_at is not None:
            start = metric.latest_at + datetime.timedelta(seconds=1)
        else:
            start = now - datetime.timedelta(hours=source.first_run_hours)
        start = max(start, cutoff, now - datetime.timedelta(seconds=step * MAX_POINTS))
        if start >= now:
            continue
        try:
            values = query_range(source, metric.promql, start, now, step, header)
            points = []
            for pair in values:
                try:
                    at = moments.get(pair[0])
                    if at is None:
                        at = moments[pair[0]] = ingest.EPOCH + datetime.timedelta(
                            seconds=float(pair[0]))
                    value = float(pair[1])
                except (TypeError, ValueError, IndexError, OverflowError):
                    raise QueryError("a value is not [time, \"number\"]") from None
                if not math.isfinite(value):
                    outcome.skipped += 1
                    continue
                points.append((metric.pk, at, value))
            outcome.accepted += ingest.store(points)
        except QueryError as exc:
            outcome.refuse(number, f"{metric.name} (metric {metric.pk}): {exc}")
        except Exception as exc:  # noqa: BLE001 - one metric never stops the run
            log.exception("Prometheus query of metric %s failed", metric.pk)
            outcome.refuse(number, f"{metric.name} (metric {metric.pk}): {exc}")
    run = ingest.record_run(source.organisation_id, outcome, actor=actor, started_at=started)
    PrometheusSource.objects.filter(pk=source.pk).update(last_run_at=timezone.now())
    return run


def collect(now: datetime.datetime | None = None) -> dict[str, int]:
    """Every active source, each in turn; a source that fails is logged and the others
    go on."""
    counts = {"sources": 0, "points": 0, "errors": 0}
    for source in PrometheusSource.objects.filter(is_active=True).order_by("pk"):
        try:
            run = collect_source(source, now=now)
        except Exception:  # noqa: BLE001 - one source never stops the job
            log.exception("Prometheus source %s failed", source.pk)
            counts["errors"] += 1
            continue
        counts["sources"] += 1
        counts["points"] += run.accepted
        counts["errors"] += run.refused
    return counts


def collect_job() -> str:
    counts = collect()
    return (f"{counts['points']:,} points from {counts['sources']:,} Prometheus "
            f"source{'s' if counts['sources'] != 1 else ''}, {counts['errors']:,} "
            f"error{'s' if counts['errors'] != 1 else ''}")
