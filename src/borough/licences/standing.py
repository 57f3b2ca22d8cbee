"""Every licence's standing worked out by the database, for the compliance page: its
position (over-used, not known, under-used, compliant), its true-up cost and saving in
whole pence, the page's licences in the page's order, the chart's, and the totals.

`queries.positions` is the definition: this is the same arithmetic in one SQL statement,
so the page does not build 50,000 positions in Python to show 50 (bench/commercial: the
page took seconds at that size). The page then reads the full positions (the records
behind each count, the words) of the licences it shows only. Money is worked in integer
pence with the rounding of core.money.pence (half up): the true-up cost of a licence
short by n is round_half_up(cost × n / quantity) of the entitlement that prices it, which
is what pence(unit_cost × n) gives, exactly (tests/licences/test_standing.py checks the
two against each other).
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from borough.cmdb.models import RelationshipType
from borough.cmdb.models import Status as ItemStatus
from borough.cmdb.queries import END_USER_DEVICE, SERVER_CLASSES
from borough.licences.models import CountedFrom, LicenceModel
from borough.licences.queries import Status

# The page's order (queries.Position.sort_key): the risk first, then what is not known.
ORDER = {Status.OVER: 0, Status.UNKNOWN: 1, Status.UNDER: 2, Status.COMPLIANT: 3}
BY_ORDER = {number: status for status, number in ORDER.items()}


def _integer_attribute(column: str, key: str) -> str:
    """A JSON attribute that is a whole number (not true/false, not 5.0), else NULL: what
    cmdb.queries reads as a count."""
    if connection.vendor == "postgresql":
        return (f"CASE WHEN jsonb_typeof({column} -> '{key}') = 'number' "
                f"AND ({column} ->> '{key}') ~ '^-?[0-9]+$' "
                f"THEN ({column} ->> '{key}')::bigint END")
    return (f"CASE WHEN json_type({column}, '$.{key}') = 'integer' "
            f"THEN json_extract({column}, '$.{key}') END")


def _by_name() -> str:
    # Python's order of names (code points), as the positions' sort key compares them.
    return 'name COLLATE "C"' if connection.vendor == "postgresql" else "name"


# Each part is worked out once (MATERIALIZED), and those picked by ROW_NUMBER() are
# grouped again by licence (one row each already): SQLite indexes a grouped part to join
# it, where it scanned the whole part once per licence (15 s at 5,000 licences).
def _statement(scoped_sql: str) -> str:
    in_force = "e.term_start <= %(day)s AND (e.term_end IS NULL OR e.term_end >= %(day)s)"
    users = _integer_attribute("sw.attributes", "number_of_users")
    cores = _integer_attribute("t.attributes", "cpu_cores")
    servers = ", ".join(f"'{code}'" for code in sorted(SERVER_CLASSES))
    # Only constants and the queryset's own compiled SQL are written in; values are
    # parameters.
    return f"""
WITH lic AS MATERIALIZED (
    SELECT l.id, l.name, l.licence_model, l.counted_from, l.software_id, l.standard_build_id
    FROM licences_licence l WHERE l.id IN ({scoped_sql})
), terms AS MATERIALIZED (
    SELECT e.licence_id, e.cost, e.quantity,
           CASE WHEN {in_force} THEN 1 ELSE 0 END AS in_force,
           ROW_NUMBER() OVER (
               PARTITION BY e.licence_id
               ORDER BY CASE WHEN {in_force} THEN 0 ELSE 1 END, e.term_start DESC, e.id DESC
           ) AS n
    FROM licences_entitlement e JOIN lic ON lic.id = e.licence_id
), ent AS MATERIALIZED (
    SELECT licence_id, SUM(quantity) AS entitled FROM terms WHERE in_force = 1
    GROUP BY licence_id
), price AS MATERIALIZED (
    SELECT licence_id, MAX(cost) AS cost, MAX(quantity) AS quantity FROM terms
    WHERE n = 1 GROUP BY licence_id
), uses AS MATERIALIZED (
    SELECT r.target_id, COUNT(*) AS n FROM cmdb_relationship r
    JOIN cmdb_configurationitem s ON s.id = r.source_id
    WHERE r.organisation_id = %(organisation)s AND r.relationship_type = %(uses)s
      AND s.status <> %(retired)s
      AND r.target_id IN (SELECT software_id FROM lic WHERE counted_from = %(installations)s
                          UNION SELECT standard_build_id FROM lic
                          WHERE standard_build_id IS NOT NULL)
    GROUP BY r.target_id
), servers AS MATERIALIZED (
    SELECT r.source_id, COUNT(*) AS servers, COUNT({cores}) AS known,
           CAST(SUM({cores}) AS BIGINT) AS cores
    FROM cmdb_relationship r
    JOIN cmdb_configurationitem t ON t.id = r.target_id
    JOIN cmdb_ciclass c ON c.id = t.ci_class_id
    WHERE r.organisation_id = %(organisation)s AND r.relationship_type = %(runs_on)s
      AND c.code IN ({servers}) AND t.status <> %(retired)s
      AND r.source_id IN (SELECT software_id FROM lic WHERE counted_from = %(cores)s)
    GROUP BY r.source_id
), entered AS MATERIALIZED (
    SELECT licence_id, MAX(count) AS count FROM (
        SELECT k.licence_id, k.count, ROW_NUMBER() OVER (
            PARTITION BY k.licence_id ORDER BY k.counted_on DESC, k.id DESC) AS n
        FROM licences_consumptioncount k
        WHERE k.licence_id IN (SELECT id FROM lic WHERE counted_from = %(entered)s)
          AND k.counted_on <= %(day)s
    ) latest WHERE n = 1 GROUP BY licence_id
), devices AS MATERIALIZED (
    SELECT COUNT(*) AS n FROM cmdb_configurationitem d
    JOIN cmdb_ciclass c ON c.id = d.ci_class_id
    WHERE d.organisation_id = %(organisation)s AND c.code = %(device)s
      AND d.status <> %(retired)s
), facts AS (
    SELECT lic.id, lic.name, lic.licence_model AS model,
           COALESCE(ent.entitled, 0) AS entitled,
           CASE lic.counted_from
               WHEN %(users)s THEN {users}
               WHEN %(installations)s THEN COALESCE(installed.n, 0)
               WHEN %(devices)s THEN CASE WHEN lic.standard_build_id IS NULL
                                          THEN devices.n ELSE COALESCE(built.n, 0) END
               WHEN %(cores)s THEN CASE WHEN srv.servers > 0 AND srv.known = srv.servers
                                        THEN srv.cores END
               ELSE entered.count
           END AS used,
           CAST(ROUND(price.cost * 100) AS BIGINT) AS cost_p, price.quantity AS price_q
    FROM lic
    CROSS JOIN devices
    LEFT JOIN ent ON ent.licence_id = lic.id
    LEFT JOIN price ON price.licence_id = lic.id AND price.quantity > 0
    LEFT JOIN cmdb_configurationitem sw ON sw.id = lic.software_id
    LEFT JOIN uses installed ON installed.target_id = lic.software_id
    LEFT JOIN uses built ON built.target_id = lic.standard_build_id
    LEFT JOIN servers srv ON srv.source_id = lic.software_id
    LEFT JOIN entered ON entered.licence_id = lic.id
), short AS (
    SELECT f.*,
           CASE WHEN f.model = %(site)s THEN
                    CASE WHEN f.entitled > 0 THEN 0 WHEN COALESCE(f.used, 0) <> 0 THEN 1
                         ELSE 0 END
                WHEN COALESCE(f.used, 0) > f.entitled THEN COALESCE(f.used, 0) - f.entitled
                ELSE 0 END AS shortfall,
           CASE WHEN f.model = %(site)s OR f.used IS NULL THEN 0
                WHEN f.entitled > f.used THEN f.entitled - f.used ELSE 0 END AS unused
    FROM facts f
), ranked AS (
    SELECT s.id, s.name, s.shortfall,
           CASE WHEN s.used IS NULL THEN 1 WHEN s.shortfall > 0 THEN 0
                WHEN s.unused > 0 THEN 2 ELSE 3 END AS status_order,
           CASE WHEN s.shortfall = 0 THEN 0 WHEN s.cost_p IS NULL THEN NULL
                ELSE (2 * s.cost_p * s.shortfall + s.price_q) / (2 * s.price_q) END AS true_up,
           CASE WHEN s.unused = 0 OR s.cost_p IS NULL THEN 0
                ELSE (2 * s.cost_p * s.unused + s.price_q) / (2 * s.price_q) END AS saving
    FROM short s
), chosen AS (
    SELECT * FROM ranked
    WHERE CAST(%(status)s AS INTEGER) IS NULL OR status_order = %(status)s
)
SELECT 'total', status_order, COUNT(*), SUM(COALESCE(true_up, 0)),
       SUM(CASE WHEN true_up IS NULL THEN 1 ELSE 0 END), SUM(saving), NULL
FROM chosen GROUP BY status_order
UNION ALL
SELECT 'page', id, status_order, true_up, shortfall, saving, name FROM (
    SELECT * FROM chosen
    ORDER BY status_order, COALESCE(true_up, 0) DESC, shortfall DESC, saving DESC,
             {_by_name()}, id LIMIT %(limit)s OFFSET %(offset)s) page
UNION ALL
SELECT 'chart', id, status_order, true_up, shortfall, saving, name FROM (
    SELECT * FROM chosen WHERE COALESCE(true_up, 0) > 0 OR saving > 0
    ORDER BY status_order, COALESCE(true_up, 0) DESC, shortfall DESC, saving DESC,
             {_by_name()}, id LIMIT %(chart)s) chart
"""  # noqa: S608


PENNY = Decimal("0.01")


def _pounds(pence) -> Decimal:
    return (Decimal(int(pence)) * PENNY).quantize(PENNY)


@dataclass
class Standings:
    """The totals of the licences chosen, and the ids of the page's and the chart's."""

    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in ORDER})
    risk: Decimal = Decimal("0.00")
    unpriced: int = 0
    savings: Decimal = Decimal("0.00")
    page_ids: list[int] = field(default_factory=list)
    chart_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _sort_key(row):
    _, pk, status_order, true_up, shortfall, saving, name = row
    return (status_order, -(true_up or 0), -shortfall, -(saving or 0), name, pk)


def standings(licences, organisation_id: int, *, day: datetime.date,
              status: str | None = None, offset: int = 0, limit: int = 50,
              chart: int = 10) -> Standings:
    """`licences`: the queryset the page lists (scoped with visible_to and filtered)."""
    scoped_sql, scoped_params = licences.order_by().values("pk").query.sql_with_params()
    params = {"day": day, "organisation": organisation_id, "retired": ItemStatus.RETIRED,
              "uses": RelationshipType.USES, "runs_on": RelationshipType.RUNS_ON,
              "device": END_USER_DEVICE, "users": CountedFrom.USERS,
              "installations": CountedFrom.INSTALLATIONS, "devices": CountedFrom.DEVICES,
              "cores": CountedFrom.CORES, "entered": CountedFrom.ENTERED,
              "site": LicenceModel.SITE, "status": ORDER[status] if status else None,
              "limit": limit, "offset": offset, "chart": chart}
    # The scoped queryset's own placeholders are positional: give them names too.
    for number, value in enumerate(scoped_params):
        params[f"scoped_{number}"] = value
    names = iter(f"%(scoped_{n})s" for n in range(len(scoped_params)))
    scoped_sql = "".join(part + (next(names) if i < len(scoped_params) else "")
                         for i, part in enumerate(scoped_sql.replace("%%", "\0").split("%s"))
                         ).replace("\0", "%%")
    postgres = connection.vendor == "postgresql"
    # A transaction only on PostgreSQL, for SET LOCAL: on SQLite Borough's transactions
    # take the write lock at once (IMMEDIATE), which a read must not hold.
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        if postgres:
            # The planner's guess of the joined rows is far above the truth (thousands of
            # licences become millions of rows), which sets PostgreSQL compiling the
            # statement (JIT): 15 seconds at 5,000 licences, for a query that runs in a
            # fraction of one.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_statement(scoped_sql), params)
        rows = cursor.fetchall()
    found = Standings()
    page, charted = [], []
    for row in rows:
        kind = row[0]
        if kind == "total":
            _, order, count, risk, unpriced, savings, _ = row
            found.counts[BY_ORDER[int(order)]] = int(count)
            found.risk += _pounds(risk or 0)
            found.unpriced += int(unpriced or 0)
            found.savings += _pounds(savings or 0)
        elif kind == "page":
            page.append(row)
        else:
            charted.append(row)
    # UNION ALL keeps no order: each part is sorted again by the same key.
    found.page_ids = [row[1] for row in sorted(page, key=_sort_key)]
    found.chart_ids = [row[1] for row in sorted(charted, key=_sort_key)]
    return found
