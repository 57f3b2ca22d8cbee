"""Daily totals of tickets logged and resolved, kept as tickets change.

The statistics page counts the tickets logged and resolved in a period by week, month,
team, service unit, category and priority. Read from the tickets, that is a pass over
every ticket of the period: 36,000 index entries for 13 weeks of the benchmark's 1M
desk. Read from these totals it is a pass over a few thousand day rows, whatever the
desk's volume per day.

Each ticket counts once in `DailyOpened` (the local day it was logged) and, while it is
resolved, once in `DailyResolved` (the local day it was last resolved). `Ticket.save`
reads what the stored row counted, saves, and moves the difference with atomic
upserts (`tickets = tickets + n`) in the same transaction: concurrent saves add up, a
rolled-back save takes its counts with it. Bulk writers (demo data, the benchmark
seed, migrations) call `rebuild` instead. The tests compare the totals with the tickets
after every test that touches the database, so a write path that forgets them fails.

Resolved tickets are also counted by their working minutes in MINUTE_BANDS, so the
exact 90th percentile needs to sort only the band that holds its rank.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone

from borough.servicedesk.models import (
    MINUTE_BANDS,
    NO_RECORD,
    DailyOpened,
    DailyResolved,
    Ticket,
)

logger = logging.getLogger(__name__)

# The ticket columns the totals depend on.
FIELDS = ("organisation_id", "created_at", "team_id", "service_unit_id", "category_id",
          "priority", "resolved_at", "sla_policy_id", "resolution_breached_at",
          "first_contact_resolution", "minutes_to_respond", "minutes_to_resolve")
BANDS = tuple(range(len(MINUTE_BANDS)))
# DailyResolved's columns counting the tickets in each band, to respond and to resolve.
BAND_COLUMNS = {measure: tuple(f"{measure}_in_{band}" for band in BANDS)
                for measure in ("respond", "resolve")}
SCALAR_MEASURES = ("first_contact", "with_sla", "sla_met", "responded", "respond_seconds",
                   "resolve_seconds")
RESOLVED_MEASURES = ("tickets", *SCALAR_MEASURES, *BAND_COLUMNS["respond"],
                     *BAND_COLUMNS["resolve"])


@dataclass(frozen=True)
class Counted:
    """Where one ticket counts: its opened key, and its resolved key and measures."""

    opened: tuple  # organisation, day, team, service unit, category
    resolved: tuple | None  # organisation, day, team, service unit, priority
    measures: tuple = ()  # RESOLVED_MEASURES for this one ticket


def local_day(moment):
    """The day in UK time (TIME_ZONE, the statistics' zone, whatever a request activated)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def _seconds(minutes: float | None) -> int:
    return round(minutes * 60) if minutes is not None else 0


def band(minutes: float) -> int:
    """The MINUTE_BANDS band holding `minutes` (the same comparisons the database makes)."""
    return max(bisect_right(MINUTE_BANDS, minutes) - 1, 0)


def _in_band(minutes: float | None) -> list[int]:
    counts = [0] * len(BANDS)
    if minutes is not None:
        counts[band(minutes)] = 1
    return counts


def counted(values: dict) -> Counted:
    """Where a ticket with these column values (FIELDS) counts."""
    group = (values["team_id"] or NO_RECORD, values["service_unit_id"] or NO_RECORD)
    organisation = values["organisation_id"]
    opened = (organisation, local_day(values["created_at"]), *group,
              values["category_id"] or NO_RECORD)
    if values["resolved_at"] is None:
        return Counted(opened, None)
    with_sla = values["sla_policy_id"] is not None
    respond, resolve = values["minutes_to_respond"], values["minutes_to_resolve"]
    measures = (1, int(bool(values["first_contact_resolution"])), int(with_sla),
                int(with_sla and values["resolution_breached_at"] is None),
                int(respond is not None), _seconds(respond), _seconds(resolve),
                *_in_band(respond), *_in_band(resolve))
    return Counted(opened, (organisation, local_day(values["resolved_at"]), *group,
                            values["priority"]), measures)


def stored(pk: int, using: str = "default") -> Counted | None:
    """Where the ticket's stored row counts now (read inside the saving transaction)."""
    values = Ticket.objects.using(using).filter(pk=pk).values(*FIELDS).first()
    return counted(values) if values else None


def of_ticket(ticket: Ticket) -> Counted:
    """Where `ticket` counts, from its values in memory."""
    return counted({name: getattr(ticket, name) for name in FIELDS})


def move(before: Counted | None, after: Counted | None, using: str = "default") -> None:
    """Take `before` out of the totals and put `after` in (either may be None).

    Rows are updated in one order (opened before resolved, keys ascending), so two saves
    moving tickets between the same days and groups in opposite directions wait for
    each other instead of deadlocking."""
    if before == after:
        return
    changes = []  # (model, key, amounts)
    old_opened, new_opened = (c.opened if c else None for c in (before, after))
    if old_opened != new_opened:
        for key, sign in ((old_opened, -1), (new_opened, 1)):
            if key is not None:
                changes.append((DailyOpened, key, {"tickets": sign}))
    old_resolved = (before.resolved, before.measures) if before else (None, ())
    new_resolved = (after.resolved, after.measures) if after else (None, ())
    if old_resolved != new_resolved:
        for (key, measures), sign in ((old_resolved, -1), (new_resolved, 1)):
            if key is not None:
                amounts = zip(RESOLVED_MEASURES, measures, strict=True)
                changes.append((DailyResolved, key, {name: sign * n for name, n in amounts
                                                     if n or name == "tickets"}))
    changes.sort(key=lambda change: (change[0] is DailyResolved, change[1]))
    with connections[using].cursor() as cursor:
        for model, key, amounts in changes:
            _add(cursor, model, key, amounts)


def _key_fields(model) -> list:
    """The fields of the total's key (its unique constraint), in the key's order."""
    return [model._meta.get_field(name) for name in model._meta.constraints[0].fields]


def _add(cursor, model, key: tuple, amounts: dict[str, int]) -> None:
    """INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n (PostgreSQL and SQLite):
    a concurrent save of the same key waits for this row and then adds to it. Raw SQL:
    bulk_create(update_conflicts=True) can only set a column to the new value, not add."""
    quote = cursor.db.ops.quote_name
    table = quote(model._meta.db_table)
    keys = [f.column for f in _key_fields(model)]
    columns = [*keys, *amounts]
    day = cursor.db.ops.adapt_datefield_value(key[1])
    values = [key[0], day, *key[2:], *amounts.values()]
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}"
                        for c in amounts)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - metadata
        f"VALUES ({', '.join(['%s'] * len(values))}) "
        f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {updates}", values)


# --- rebuilding from the tickets ---------------------------------------------------

def totals_from_tickets(tickets) -> tuple[dict, dict]:
    """The totals the tickets in `tickets` (a queryset) add up to: opened key → count,
    resolved key → measures. One pass, streamed."""
    opened: dict[tuple, int] = defaultdict(int)
    resolved: dict[tuple, list[int]] = {}
    for values in tickets.order_by().values(*FIELDS).iterator(chunk_size=5000):
        where = counted(values)
        opened[where.opened] += 1
        if where.resolved is not None:
            sums = resolved.setdefault(where.resolved, [0] * len(RESOLVED_MEASURES))
            for index, value in enumerate(where.measures):
                sums[index] += value
    return dict(opened), resolved


def rebuild(organisation_ids=None, *, using: str = "default", models=None) -> tuple[int, int]:
    """Replace the totals of these organisations (all when None) with what their tickets
    add up to. `models` (Ticket, DailyOpened, DailyResolved) lets a migration pass its
    historical models. Returns the rows written (opened, resolved).

    Safe while tickets are being saved: the totals are locked against writes before the
    tickets are read, so a save either committed before the read (and is counted) or
    waits at its upsert and adds its change to the rebuilt totals afterwards."""
    ticket_model, opened_model, resolved_model = models or (Ticket, DailyOpened, DailyResolved)
    tickets = ticket_model._default_manager.using(using)
    if organisation_ids is not None:
        tickets = tickets.filter(organisation_id__in=list(organisation_ids))
    connection = connections[using]
    with transaction.atomic(using=using):
        stale = {}
        for model in (opened_model, resolved_model):
            stale[model] = model._default_manager.using(using)
            if organisation_ids is not None:
                stale[model] = stale[model].filter(organisation_id__in=list(organisation_ids))
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in stale)
            with connection.cursor() as cursor:
                # Readers carry on; the ORM has no table locks.
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        for rows in stale.values():
            rows.delete()  # on SQLite this takes the database's write lock
        opened, resolved = totals_from_tickets(tickets)
        opened_model._default_manager.using(using).bulk_create(
            [opened_model(**_key_values(opened_model, key), tickets=n)
             for key, n in opened.items()], batch_size=2000)
        resolved_model._default_manager.using(using).bulk_create(
            [resolved_model(**_key_values(resolved_model, key),
                            **dict(zip(RESOLVED_MEASURES, sums, strict=True)))
             for key, sums in resolved.items()], batch_size=2000)
    return len(opened), len(resolved)


def _key_values(model, key: tuple) -> dict:
    return dict(zip((f.attname for f in _key_fields(model)), key, strict=True))


def differences(using: str = "default") -> list[str]:
    """Where the stored totals differ from what the tickets add up to; empty when they
    agree. Rows a move left at zero count as absent. For tests and `borough check`-style
    audits: one pass over every ticket."""
    opened, resolved = totals_from_tickets(Ticket.objects.using(using))
    expected = {DailyOpened: {key: (n,) for key, n in opened.items()},
                DailyResolved: {key: tuple(sums) for key, sums in resolved.items()}}
    found = []
    for model, wanted in expected.items():
        keys = [f.attname for f in _key_fields(model)]
        measures = ("tickets",) if model is DailyOpened else RESOLVED_MEASURES
        stored_rows = {row[:len(keys)]: row[len(keys):]
                       for row in model._default_manager.using(using).values_list(*keys, *measures)
                       if any(row[len(keys):])}
        for key in sorted(wanted.keys() | stored_rows.keys(), key=str):
            if wanted.get(key) != stored_rows.get(key):
                found.append(f"{model.__name__} {key}: stored {stored_rows.get(key)}, "
                             f"tickets add up to {wanted.get(key)}")
    return found


def audit() -> dict[str, int]:
    """The daily periodic job: compare the totals with the tickets and, if a write went
    round `Ticket.save` (SQL run by hand, a restore of one table), log it as an error and
    rebuild, so the statistics are never wrong for more than a day."""
    found = differences()
    if found:
        logger.error("The service desk's daily totals differed from the tickets in %s "
                     "rows (first: %s); rebuilding them.", len(found), found[0])
        rebuild()
    return {"differences": len(found)}
