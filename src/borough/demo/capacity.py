"""The demo council's utilisation: CPU, memory and disk for each of its virtual servers
and the council website's visits, two years of daily figures written as daily rollups
(as the rollup job would have left them) and the last three days as raw hourly points,
rolled up like any others. FILE01's disk fills steadily and will be full about two
months from the day the demo is loaded; the website's visits peak every March, when the
council tax bills go out. SQL01 has a ping (an up or down metric) that was down for 25
minutes yesterday, which records the outages of the services relying on it. Safe to run
again: a metric that exists is left as it is."""

from __future__ import annotations

import datetime
import math
import random

from django.db import transaction
from django.utils import timezone

from borough.capacity import models as m
from borough.capacity import services as capacity
from borough.cmdb.models import ConfigurationItem
from borough.core import services
from borough.demo import organisations

DAYS = 730
RAW_DAYS = 3
SAMPLES_A_DAY = 288  # what a five-minute collector sends
TB = 1024**4
GB = 1024**3
FULL_SERVER = "FILE01"
FULL_IN_DAYS = 60
WEBSITE = "Council website"


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The metrics of one council and their figures; returns how many metrics it added."""
    items = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        organisation=organisation, ci_class__code__in=("virtual-server", "application"))}
    today = timezone.localdate()
    rng = random.Random(f"{organisation.code}-capacity")
    added = 0
    for n, (name, item) in enumerate(sorted(items.items())):
        if item.ci_class.code != "virtual-server":
            continue
        for spec in server_metrics(name, n):
            added += _load(organisation, keeper, item, spec, today, rng)
    if WEBSITE in items:
        added += _load(organisation, keeper, items[WEBSITE], website_visits(), today, rng)
    if UP_SERVER in items:
        added += _load_up(organisation, keeper, items[UP_SERVER], today)
    capacity.roll_up()
    # As the nightly job would have: FILE01's disk raises its capacity problem.
    capacity.forecast_all()
    return added


class Spec:
    """One metric and how its day's level moves: `level(day_index)` gives the day's mean
    (day 0 is two years ago), `spread` how far a day's values range around it."""

    def __init__(self, name, unit, kind, level, spread, *, warning=None, critical=None,
                 capacity=None, description="", source_key=""):
        self.name, self.unit, self.kind = name, unit, kind
        self.level, self.spread = level, spread
        self.warning, self.critical, self.capacity = warning, critical, capacity
        self.description, self.source_key = description, source_key


def server_metrics(name: str, n: int) -> list[Spec]:
    host = name.lower()
    cpu_base = 18 + 4 * (n % 5)
    memory_base = 45 + 3 * (n % 7)
    specs = [
        Spec("cpu_used", m.Unit.PERCENT, m.Kind.GAUGE,
             lambda d, b=cpu_base: b + 6 * _weekday(d) + 0.004 * d, 12, warning=80,
             critical=95, description="CPU busy, all cores (Telegraf cpu, 100 − usage_idle).",
             source_key=f"cpu,cpu=cpu-total,host={host} usage_active"),
        Spec("memory_used", m.Unit.PERCENT, m.Kind.GAUGE,
             lambda d, b=memory_base: b + 0.01 * d, 5, warning=85, critical=95,
             source_key=f"mem,host={host} used_percent"),
    ]
    if name == FULL_SERVER:
        size = 4 * TB
        # full FULL_IN_DAYS days after today: a straight climb from 40 % two years ago,
        # past its warning now and its critical threshold within the next two months
        start = 0.40 * size
        per_day = (size - start) / (DAYS + FULL_IN_DAYS)
        specs.append(Spec(
            "disk_used", m.Unit.BYTES, m.Kind.GAUGE, lambda d: start + per_day * d,
            0.002 * size, warning=0.9 * size, critical=0.98 * size, capacity=size,
            description="The shared drives' volume (S:), growing with scanned documents.",
            source_key=f"disk,host={host},path=/shares used"))
    else:
        size = 500 * GB
        base = (0.30 + 0.05 * (n % 6)) * size
        specs.append(Spec(
            "disk_used", m.Unit.BYTES, m.Kind.GAUGE, lambda d, b=base: b + 20 * 1024**2 * d,
            0.005 * size, warning=0.8 * size, critical=0.95 * size, capacity=size,
            source_key=f"disk,host={host},path=/ used"))
    return specs


def website_visits() -> Spec:
    def visits(d: int) -> float:
        day = timezone.localdate() - datetime.timedelta(days=DAYS - d)
        # council tax bills arrive in March: visits climb to double through the month
        march = 1.0 + (1.0 if day.month == 3 else 0.35 if day.month in (2, 4) else 0.0)
        weekend = 0.6 if day.weekday() >= 5 else 1.0
        return 9000 * march * weekend

    # What the web servers were sized for: March's peak comes close to it.
    return Spec("website_visits", m.Unit.VISITS, m.Kind.TALLY, visits, 0.0,
                warning=14000, critical=17000,
                description="Visits a day to the council website (its analytics export).")


def _weekday(d: int) -> float:
    day = timezone.localdate() - datetime.timedelta(days=DAYS - d)
    return 0.0 if day.weekday() >= 5 else 1.0


UP_DAYS = 62
# The revenues database server, which Council Tax relies on through the CMDB.
UP_SERVER = "SQL01"
# SQL01 stopped answering pings for 25 minutes yesterday at 14:05, and for 40 minutes on
# the 20th day before today (what the daily rollup of that day says).
UP_DOWN_YESTERDAY = (datetime.time(14, 5), 5)  # 5 five-minute samples
UP_DOWN_DAY = 20


def _load_up(organisation, keeper, item, today) -> int:
    """SQL01's ping (an up or down metric pushed as `ping,url=sql01 up`): daily rollups
    for two months and the last three days as five-minute points, with yesterday's 25
    minutes down. Storing them records the outages of the services relying on SQL01, as
    a push would."""
    if m.Metric.objects.filter(organisation=organisation, configuration_item=item,
                               name="up").exists():
        return 0
    metric = services.create_record(m.Metric(
        organisation=organisation, configuration_item=item, name="up", unit=m.Unit.OTHER,
        kind=m.Kind.UP_DOWN, description="Answers a ping (Telegraf's ping input, its "
        "result_code mapped to up).", source_key="ping,url=sql01 up"), actor=keeper)
    tz = timezone.get_current_timezone()
    rollups = []
    for d in range(UP_DAYS, RAW_DAYS, -1):
        day = today - datetime.timedelta(days=d)
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        down = 8 if d == UP_DOWN_DAY else 0
        mean = (SAMPLES_A_DAY - down) / SAMPLES_A_DAY
        rollups.append(m.Rollup(metric=metric, period=m.Period.DAY, start=start,
                                count=SAMPLES_A_DAY, total=SAMPLES_A_DAY - down,
                                minimum=0.0 if down else 1.0, mean=mean, maximum=1.0,
                                p95=1.0))
    m.Rollup.objects.bulk_create(rollups)
    now = timezone.now()
    start = datetime.datetime.combine(today - datetime.timedelta(days=RAW_DAYS),
                                      datetime.time(), tzinfo=tz)
    yesterday = datetime.datetime.combine(today - datetime.timedelta(days=1),
                                          UP_DOWN_YESTERDAY[0], tzinfo=tz)
    down_until = yesterday + datetime.timedelta(minutes=5 * UP_DOWN_YESTERDAY[1])
    points, at = [], start
    while at <= now:
        points.append((metric.pk, at, 0.0 if yesterday <= at < down_until else 1.0))
        at += datetime.timedelta(minutes=5)
    capacity.store_points(points)
    return 1


def _load(organisation, keeper, item, spec: Spec, today, rng) -> int:
    if m.Metric.objects.filter(organisation=organisation, configuration_item=item,
                               name=spec.name).exists():
        return 0
    metric = services.create_record(m.Metric(
        organisation=organisation, configuration_item=item, name=spec.name, unit=spec.unit,
        kind=spec.kind, description=spec.description, warning_threshold=spec.warning,
        critical_threshold=spec.critical, capacity=spec.capacity,
        source_key=spec.source_key), actor=keeper)
    tz = timezone.get_current_timezone()
    rollups = []
    first_raw = DAYS - RAW_DAYS
    for d in range(first_raw):
        day = today - datetime.timedelta(days=DAYS - d)
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        mean = max(spec.level(d) * (1 + rng.uniform(-0.03, 0.03)), 0.0)
        if spec.kind == m.Kind.TALLY:
            value = round(mean)
            rollups.append(m.Rollup(metric=metric, period=m.Period.DAY, start=start, count=1,
                                    total=value, minimum=value, mean=value, maximum=value,
                                    p95=value))
            continue
        low, high = max(mean - spec.spread, 0.0), mean + spec.spread
        rollups.append(m.Rollup(
            metric=metric, period=m.Period.DAY, start=start, count=SAMPLES_A_DAY,
            total=mean * SAMPLES_A_DAY, minimum=low, mean=mean, maximum=high,
            p95=mean + 0.8 * spec.spread))
    m.Rollup.objects.bulk_create(rollups, batch_size=2000)
    now = timezone.now()
    points = []
    for d in range(first_raw, DAYS + 1):
        day = today - datetime.timedelta(days=DAYS - d)
        if spec.kind == m.Kind.TALLY:
            at = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
            points.append((metric.pk, at, float(round(spec.level(d)))))
            continue
        for hour in range(24):
            at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
            if at > now:
                break
            swing = spec.spread * math.sin(math.pi * hour / 24)
            points.append((metric.pk, at, max(spec.level(d) + swing * rng.uniform(0.3, 1), 0)))
    capacity.store_points(points)
    return 1
