"""Where each licence stands: what it may use (its entitlements in force on a day), what
it uses (counted from the records its licence chooses) and so its compliance, with the
records behind each count. Positions are worked out for many licences at once in a fixed
number of queries (the compliance page lists every licence); other apps read licences
through here.

Money: the shortfall of an over-used licence is priced at the unit cost of the
entitlement in force that started last (the price the council last paid), as is the
unused quantity of an under-used one; each amount is exact in Decimal and rounded once,
to the penny, by core.money.pence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from borough.cmdb import queries as cmdb
from borough.core.money import pence
from borough.licences.models import (
    ConsumptionCount,
    CountedFrom,
    Entitlement,
    Licence,
    LicenceModel,
)


class Status:
    OVER = "over"
    UNKNOWN = "unknown"
    UNDER = "under"
    COMPLIANT = "compliant"

    LABELS = {OVER: "Over-used", UNKNOWN: "Not known", UNDER: "Under-used",
              COMPLIANT: "Compliant"}
    # The compliance page's order: the risk first, then what is not known.
    ORDER = {OVER: 0, UNKNOWN: 1, UNDER: 2, COMPLIANT: 3}
    CHOICES = list(LABELS.items())
    TAGS = {OVER: "govuk-tag--red", UNKNOWN: "govuk-tag--yellow", UNDER: "govuk-tag--blue",
            COMPLIANT: "govuk-tag--green"}


@dataclass(frozen=True)
class Figure:
    """One record behind a count: what it is, the number it adds and where to read it."""

    label: str
    url: str
    adds: int | None = None


@dataclass
class Consumption:
    used: int | None  # None: not known
    # How it was counted, in words, and the records behind it.
    method: str
    figures: list[Figure] = field(default_factory=list)
    # Why it is not known, or what is missing from it ("2 servers have no cores recorded").
    gaps: list[str] = field(default_factory=list)
    # For a count entered by hand: the count itself.
    entered: ConsumptionCount | None = None


@dataclass
class Position:
    licence: Licence
    day: datetime.date
    entitled: int
    in_force: list[Entitlement]
    consumption: Consumption
    # The price of one licence used for the money figures (None: no entitlement to price).
    unit_cost: Decimal | None
    priced_by: Entitlement | None

    @property
    def used(self) -> int | None:
        return self.consumption.used

    @property
    def is_site(self) -> bool:
        return self.licence.licence_model == LicenceModel.SITE

    @property
    def shortfall(self) -> int:
        """How many licences short: the use beyond the entitlement. A site licence covers
        any use while one is in force; without one, the site is short of its licence."""
        if self.is_site:
            return 0 if self.entitled else (1 if self.used else 0)
        return max((self.used or 0) - self.entitled, 0)

    @property
    def unused(self) -> int:
        if self.is_site or self.used is None:
            return 0
        return max(self.entitled - self.used, 0)

    @property
    def status(self) -> str:
        if self.used is None:
            return Status.UNKNOWN
        if self.shortfall:
            return Status.OVER
        if self.unused:
            return Status.UNDER
        return Status.COMPLIANT

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def tag_class(self) -> str:
        return Status.TAGS[self.status]

    @property
    def true_up_cost(self) -> Decimal | None:
        """What buying the shortfall would cost at the unit cost (None: no price known)."""
        if not self.shortfall:
            return Decimal("0.00")
        return pence(self.unit_cost * self.shortfall) if self.unit_cost is not None else None

    @property
    def saving(self) -> Decimal:
        """What the unused licences cost at the unit cost: money to save at renewal."""
        if not self.unused or self.unit_cost is None:
            return Decimal("0.00")
        return pence(self.unit_cost * self.unused)

    @property
    def sort_key(self):
        risk = self.true_up_cost
        return (Status.ORDER[self.status],
                -(risk if risk is not None else Decimal(0)), -self.shortfall,
                -self.saving, self.licence.name, self.licence.pk)

    def summary(self) -> str:
        """The position in one sentence."""
        unit = self.licence.unit
        status = self.status
        if status == Status.UNKNOWN:
            return "The use is not known: " + ("; ".join(self.consumption.gaps) or
                                              "nothing counts it.")
        if self.is_site:
            return ("Covered by a site licence in force." if self.entitled else
                    "No site licence is in force for the use counted.")
        if status == Status.OVER:
            cost = self.true_up_cost
            money = (f"; buying them would cost {_pounds(cost)} at {_pounds(self.unit_cost)} "
                     "each" if cost is not None else "; no entitlement gives a price for them")
            return (f"Over-used by {self.shortfall} {unit(self.shortfall)}: "
                    f"{self.used} used of {self.entitled}{money}.")
        if status == Status.UNDER:
            return (f"Under-used by {self.unused} {unit(self.unused)}: {self.used} used of "
                    f"{self.entitled}; they cost {_pounds(self.saving)} at "
                    f"{_pounds(self.unit_cost)} each.")
        return f"Compliant: {self.used} used of {self.entitled}."


def _pounds(amount) -> str:
    from borough.core.money import format_pounds

    return format_pounds(amount)


def in_force_filter(day: datetime.date) -> Q:
    return Q(term_start__lte=day) & (Q(term_end__isnull=True) | Q(term_end__gte=day))


def _entitlements_by_licence(licence_ids, day, given=None) -> dict[int, list[Entitlement]]:
    found: dict[int, list[Entitlement]] = {}
    if given is not None:
        chosen = sorted((e for e in given if e.licence_id in set(licence_ids)
                         and e.in_force(day)), key=lambda e: (e.term_start, e.pk),
                        reverse=True)
    else:
        chosen = (Entitlement.objects.filter(licence_id__in=licence_ids)
                  .filter(in_force_filter(day)).order_by("-term_start", "-pk"))
    for entitlement in chosen:
        found.setdefault(entitlement.licence_id, []).append(entitlement)
    return found


def _last_prices(licence_ids, given=None) -> dict[int, Entitlement]:
    """For licences with nothing in force: the entitlement that started last, whose price
    stands for a true-up."""
    found: dict[int, Entitlement] = {}
    if given is not None:
        chosen = sorted((e for e in given if e.licence_id in set(licence_ids)),
                        key=lambda e: (e.licence_id, -e.term_start.toordinal(), -e.pk))
    else:
        chosen = (Entitlement.objects.filter(licence_id__in=licence_ids)
                  .order_by("licence_id", "-term_start", "-pk"))
    for entitlement in chosen:
        found.setdefault(entitlement.licence_id, entitlement)
    return found


def _latest_counts(licence_ids, day, entered_by=None) -> dict[int, ConsumptionCount]:
    found: dict[int, ConsumptionCount] = {}
    counts = ConsumptionCount.objects.filter(licence_id__in=licence_ids, counted_on__lte=day)
    if entered_by is not None:
        counts = counts.filter(created_at__lte=entered_by)
    for count in counts.select_related("counted_by").order_by("licence_id", "-counted_on",
                                                               "-pk"):
        found.setdefault(count.licence_id, count)
    return found


def _system_url(item_id: int) -> str:
    return reverse("cmdb:system_detail", args=[item_id])


def _item_url(item_id: int) -> str:
    return reverse("cmdb:configurationitem_detail", args=[item_id])


def _consumption(licence: Licence, facts: dict) -> Consumption:
    how = licence.counted_from
    software = licence.software
    if how == CountedFrom.USERS:
        users = facts["users"].get(licence.software_id)
        if users is None:
            return Consumption(None, "The number of users the systems catalogue records for "
                               f"{software.name}.",
                               [Figure(f"{software.name} in the systems catalogue",
                                       _system_url(software.pk))],
                               [f"the systems catalogue records no number of users for "
                                f"{software.name}"])
        return Consumption(users, f"The number of users the systems catalogue records for "
                           f"{software.name}.",
                           [Figure(f"{software.name} in the systems catalogue",
                                   _system_url(software.pk), users)])
    if how == CountedFrom.INSTALLATIONS:
        used = facts["installations"].get(licence.software_id, 0)
        return Consumption(used, f"The configuration items (not retired) recorded as using "
                           f"{software.name}.",
                           [Figure(f"{software} and the items that use it",
                                   _item_url(software.pk), used)])
    if how == CountedFrom.DEVICES:
        if licence.standard_build_id:
            used = facts["builds"].get(licence.standard_build_id, 0)
            build = licence.standard_build
            return Consumption(used, f"The end-user devices (not retired) recorded as using "
                               f"the standard build {build.name}.",
                               [Figure(f"{build} and the devices that use it",
                                       _item_url(build.pk), used)])
        used = facts["devices"]()
        return Consumption(used, "Every end-user device (not retired) in the configuration "
                           "management database.",
                           [Figure("End-user devices (listed below)", "", used)])
    if how == CountedFrom.CORES:
        servers = facts["servers"].get(licence.software_id, [])
        figures = [Figure(f"{s.reference} {s.name}", _item_url(s.pk), s.cores)
                   for s in servers]
        method = f"The CPU cores of the servers (not retired) {software.name} runs on."
        missing = [s for s in servers if s.cores is None]
        if not servers:
            return Consumption(None, method, figures,
                               [f"no server is recorded for {software.name} to run on"])
        if missing:
            names = ", ".join(s.name for s in missing)
            return Consumption(None, method, figures,
                               [f"{len(missing)} of its servers have no CPU cores recorded "
                                f"({names})"])
        return Consumption(sum(s.cores for s in servers), method, figures)
    count = facts["counts"].get(licence.pk)
    if count is None:
        return Consumption(None, "A count entered by hand.", [],
                           ["no count has been entered"])
    who = f" by {count.counted_by}" if count.counted_by_id else ""
    how_counted = f" ({count.how})" if count.how else ""
    return Consumption(count.count, f"A count entered by hand on "
                       f"{count.counted_on:%-d %B %Y}{who}{how_counted}.",
                       [Figure(f"Counted on {count.counted_on:%-d %B %Y}{who}",
                               reverse("licences:consumptioncount_detail", args=[count.pk]),
                               count.count)], entered=count)


def positions(licences, day: datetime.date | None = None, *, entitlements=None,
              counts_entered_by=None) -> list[Position]:
    """The position of each licence on `day` (today by default), in the order given. The
    licences' software and standard build should be loaded (select_related).

    For a past moment (the evidence rule): `entitlements`, the entitlements as they stood
    then (instances, from their versions) instead of those stored now; and
    `counts_entered_by`, a moment after which counts entered by hand are left out."""
    licences = list(licences)
    day = day or timezone.localdate()
    if not licences:
        return []
    organisation_id = licences[0].organisation_id
    ids = [licence.pk for licence in licences]
    by_source: dict[str, set[int]] = {}
    for licence in licences:
        by_source.setdefault(licence.counted_from, set()).add(licence.software_id)
    builds = {lic.standard_build_id for lic in licences if lic.standard_build_id}
    device_total: list[int] = []

    def devices() -> int:  # counted once, and only when a licence asks
        if not device_total:
            device_total.append(cmdb.count_devices(organisation_id))
        return device_total[0]

    facts = {
        "users": (cmdb.recorded_users(organisation_id, by_source[CountedFrom.USERS])
                  if CountedFrom.USERS in by_source else {}),
        "installations": (cmdb.counts_of_users(organisation_id,
                                               by_source[CountedFrom.INSTALLATIONS])
                          if CountedFrom.INSTALLATIONS in by_source else {}),
        "builds": cmdb.counts_of_users(organisation_id, builds) if builds else {},
        "devices": devices,
        "servers": (cmdb.servers_run_on(organisation_id, by_source[CountedFrom.CORES])
                    if CountedFrom.CORES in by_source else {}),
        "counts": (_latest_counts(ids, day, counts_entered_by)
                   if CountedFrom.ENTERED in by_source else {}),
    }
    in_force = _entitlements_by_licence(ids, day, entitlements)
    unpriced = [pk for pk in ids if pk not in in_force]
    last = _last_prices(unpriced, entitlements) if unpriced else {}
    found = []
    for licence in licences:
        current = in_force.get(licence.pk, [])
        priced_by = current[0] if current else last.get(licence.pk)
        found.append(Position(
            licence, day, sum(e.quantity for e in current), current,
            _consumption(licence, facts),
            priced_by.unit_cost if priced_by is not None else None, priced_by))
    return found


def position_of(licence: Licence, day: datetime.date | None = None) -> Position:
    return positions([licence], day)[0]


def licences_for(user) -> QuerySet:
    """Every licence `user` may see, with what a position reads loaded."""
    return (Licence.objects.visible_to(user)
            .select_related("software__ci_class", "supplier", "contract", "standard_build"))


@dataclass
class Compliance:
    positions: list[Position]

    def of(self, status: str) -> list[Position]:
        return [p for p in self.positions if p.status == status]

    @property
    def risk(self) -> Decimal:
        return sum((p.true_up_cost or Decimal(0) for p in self.positions), Decimal("0.00"))

    @property
    def unpriced(self) -> int:
        return sum(1 for p in self.positions if p.true_up_cost is None)

    @property
    def savings(self) -> Decimal:
        return sum((p.saving for p in self.positions), Decimal("0.00"))

    def counts(self) -> dict[str, int]:
        found = {status: 0 for status in Status.ORDER}
        for position in self.positions:
            found[position.status] += 1
        return found


def compliance(licences: QuerySet, *, status: str | None = None,
               day: datetime.date | None = None) -> Compliance:
    """The position of every licence of `licences` (already scoped and filtered), those of
    one status if given, the largest risk first."""
    found = positions(licences.order_by("name", "pk"), day)
    if status:
        found = [p for p in found if p.status == status]
    found.sort(key=lambda p: p.sort_key)
    return Compliance(found)


def licences_of_software(item, user) -> list[Position]:
    """The positions of the licences for one application, by name."""
    return positions(licences_for(user).filter(software=item).order_by("name", "pk"))


def items_behind(position: Position, user, limit: int = 50) -> tuple[list, int]:
    """The configuration items a count of installations or devices is made of (the first
    `limit`, by name), and how many there are: what a person checks the count against."""
    licence = position.licence
    if licence.counted_from == CountedFrom.INSTALLATIONS:
        items = cmdb.items_using(licence.software, user)
    elif licence.counted_from == CountedFrom.DEVICES:
        found = cmdb.devices(user, build_id=licence.standard_build_id)
        return list(found[:limit]), found.count()
    else:
        return [], 0
    return items[:limit], len(items)


def entitlements_in_term(organisation_id: int, first: datetime.date, last: datetime.date,
                         software_ids=None) -> list[dict]:
    """The entitlements whose term overlaps `first`..`last` (a perpetual one: bought in
    it), for the total cost of systems (finance.costs), with their licence and contract:
    dicts of id, licence_id, reference, name (the licence's), software_id, quantity,
    term_start, term_end, cost, contract_id, contract_reference."""
    found = Entitlement.objects.filter(organisation_id=organisation_id,
                                       term_start__lte=last).filter(
        Q(term_end__gte=first) | Q(term_end__isnull=True, term_start__gte=first))
    if software_ids is not None:
        found = found.filter(licence__software_id__in=list(software_ids))
    return [{"id": row["id"], "licence_id": row["licence_id"],
             "reference": row["licence__reference"], "name": row["licence__name"],
             "software_id": row["licence__software_id"], "quantity": row["quantity"],
             "term_start": row["term_start"], "term_end": row["term_end"],
             "cost": row["cost"], "contract_id": row["contract_id"],
             "contract_reference": row["contract__reference"]}
            for row in found.order_by("licence__name", "term_start", "pk").values(
                "id", "licence_id", "licence__reference", "licence__name",
                "licence__software_id", "quantity", "term_start", "term_end", "cost",
                "contract_id", "contract__reference")]
