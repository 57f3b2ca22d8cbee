"""CMDB evidence rules for the standards module (core.evidence; contract in
docs/standards.md): the systems catalogue is owned and supported, servers are placed
and used, the architecture map covers the systems' interfaces, the CMDB is populated.

As every rule, each reads only the given organisation's records through
`for_organisation` and answers as at `as_of`: items and relationships as they stood then,
replayed from the CMDB's history (core.temporal.states_at), deleted ones included.
When nothing has changed since `as_of` (the live assessment) they are read as they are.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from borough.cmdb import rules
from borough.cmdb.models import (
    CIClass,
    ConfigurationItem,
    ConfigurationItemVersion,
    Relationship,
    RelationshipType,
    RelationshipVersion,
    Status,
)
from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, whole


def _items(organisation, as_of):
    return (ConfigurationItem.objects.for_organisation(organisation)
            .filter(created_at__lte=as_of).order_by())


def _relationships(organisation, as_of):
    return (Relationship.objects.for_organisation(organisation)
            .filter(created_at__lte=as_of).order_by())


def _class_ids(organisation, codes):
    """The classes' ids, as a subquery. Classes are not versioned: their codes are fixed
    when they are made."""
    return CIClass.objects.for_organisation(organisation).filter(code__in=codes).values("pk")


def _items_then(organisation, as_of, codes, fields, **where) -> list[dict]:
    """Items of the given classes as they stood at `as_of`, sorted by name."""
    rows = temporal.states_at(ConfigurationItemVersion, ConfigurationItem, organisation,
                              as_of, fields=["name", *fields],
                              where={"ci_class_id__in": _class_ids(organisation, codes),
                                     **where})
    return sorted(rows, key=lambda row: (row["name"] or "", row["id"]))


def _relationships_then(organisation, as_of, types) -> list[dict]:
    return temporal.states_at(RelationshipVersion, Relationship, organisation, as_of,
                              fields=["source_id", "target_id"],
                              where={"relationship_type__in": list(types)})


def _names(items, limit: int = 5) -> str:
    names = [i["name"] for i in items[:limit]]
    more = len(items) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _list_link(label: str, query: str = "") -> EvidenceLink:
    return EvidenceLink(label, reverse("cmdb:configurationitem_list") + query)


def applications_owned(organisation, params, as_of) -> EvidenceResult:
    apps = _items_then(organisation, as_of, [rules.APPLICATION],
                       ["owner_id", "support_team_id"], status=Status.LIVE)
    no_owner = [a for a in apps if a["owner_id"] is None]
    no_team = [a for a in apps if a["support_team_id"] is None]
    minimum = params["min_applications"]
    figures = {"live_applications": len(apps), "without_owner": len(no_owner),
               "without_support_team": len(no_team), "min_applications": minimum}
    met = len(apps) >= minimum and not no_owner and not no_team
    if len(apps) < minimum:
        summary = (f"{len(apps)} live application{'s are' if len(apps) != 1 else ' is'} "
                   f"recorded; at least {minimum} are expected in the systems catalogue.")
    elif met:
        summary = (f"All {len(apps)} live applications have a business owner and an ICT "
                   "support team.")
    else:
        gaps = []
        if no_owner:
            gaps.append(f"{len(no_owner)} without a business owner ({_names(no_owner)})")
        if no_team:
            gaps.append(f"{len(no_team)} without an ICT support team ({_names(no_team)})")
        summary = f"Of {len(apps)} live applications, " + "; ".join(gaps) + "."
    return EvidenceResult(met, summary, figures,
                          (EvidenceLink("Systems catalogue", reverse("cmdb:systems_catalogue")
                                        + "?unit=all"),))


SERVERS = (rules.PHYSICAL_SERVER, rules.VIRTUAL_SERVER)
# Relationship types by which something depends on its target (impact.py's direction).
DEPENDED_ON = sorted(rules.SOURCE_DEPENDS)


def servers_placed_and_used(organisation, params, as_of) -> EvidenceResult:
    servers = _items_then(organisation, as_of, SERVERS, ["site_id"], status=Status.LIVE)
    used = {r["target_id"] for r in _relationships_then(organisation, as_of, DEPENDED_ON)}
    no_site = [s for s in servers if s["site_id"] is None]
    unused = [s for s in servers if s["id"] not in used]
    figures = {"live_servers": len(servers), "without_site": len(no_site),
               "supporting_nothing": len(unused)}
    met = bool(servers) and not no_site and not unused
    if not servers:
        summary = "No live servers are recorded in the CMDB."
    elif met:
        summary = (f"All {len(servers)} live servers are at a recorded site and something "
                   "recorded runs on or depends on each.")
    else:
        gaps = []
        if no_site:
            gaps.append(f"{len(no_site)} have no site ({_names(no_site)})")
        if unused:
            gaps.append(f"{len(unused)} support nothing recorded ({_names(unused)})")
        summary = f"Of {len(servers)} live servers, " + "; ".join(gaps) + "."
    return EvidenceResult(met, summary, figures, (_list_link("Configuration items"),))


def architecture_mapped(organisation, params, as_of) -> EvidenceResult:
    """Every interface item joins two systems (so the map can show it), and at most the
    given share of systems has no interface recorded."""
    items = [row for row in _items_then(organisation, as_of,
                                        [rules.APPLICATION, rules.INTERFACE], ["ci_class_id",
                                                                               "status"])
             if row["status"] != Status.RETIRED]
    app_class = set(_class_ids(organisation, [rules.APPLICATION]).values_list("pk", flat=True))
    apps = [(row["id"], row["name"]) for row in items if row["ci_class_id"] in app_class]
    app_ids = {pk for pk, _ in apps}
    interface_ids = {row["id"] for row in items} - app_ids
    links = [(r["source_id"], r["target_id"]) for r in
             _relationships_then(organisation, as_of, [RelationshipType.INTERFACES_WITH])]
    connected, reach = set(), {pk: set() for pk in interface_ids}
    for source, target in links:
        if source in app_ids and target in app_ids:
            connected |= {source, target}
        for via, system in ((source, target), (target, source)):
            if via in interface_ids and system in app_ids:
                reach[via].add(system)
    for systems in reach.values():
        if len(systems) >= 2:
            connected |= systems
    loose = sorted(pk for pk, systems in reach.items() if len(systems) < 2)
    unconnected = [name for pk, name in sorted(apps, key=lambda a: a[1]) if pk not in connected]
    share = round(100 * len(unconnected) / len(apps), 1) if apps else 0.0
    limit, minimum = params["max_unconnected_percent"], params["min_systems"]
    figures = {"systems": len(apps), "systems_without_interfaces": len(unconnected),
               "unconnected_percent": share, "loose_interfaces": len(loose),
               "min_systems": minimum, "max_unconnected_percent": limit}
    met = len(apps) >= minimum and not loose and len(unconnected) * 100 <= limit * len(apps)
    if len(apps) < minimum:
        summary = (f"{len(apps)} system{'s are' if len(apps) != 1 else ' is'} on the "
                   f"architecture map; at least {minimum} are expected.")
    else:
        summary = (f"{len(apps)} systems are on the architecture map; "
                   f"{len(unconnected)} ({share:g}%) have no interface recorded"
                   + (f" ({', '.join(unconnected[:5])}{'…' if len(unconnected) > 5 else ''})"
                      if unconnected else "")
                   + f" against at most {limit:g}%, and {len(loose)} interface"
                   + (" does" if len(loose) == 1 else "s do") + " not reach two systems.")
    return EvidenceResult(met, summary, figures,
                          (EvidenceLink("Architecture map", reverse("cmdb:architecture_map")
                                        + "?unit=all"),))


def _populated_now(organisation, as_of) -> tuple[int, int, int]:
    """(items not retired, of them related, relationships) in SQL: the live case."""
    items = _items(organisation, as_of).exclude(status=Status.RETIRED)
    related = items.filter(Q(outgoing__created_at__lte=as_of)
                           | Q(incoming__created_at__lte=as_of)).distinct().count()
    return items.count(), related, _relationships(organisation, as_of).count()


def _populated_then(organisation, as_of) -> tuple[int, int, int]:
    items = {row["id"] for row in temporal.states_at(
        ConfigurationItemVersion, ConfigurationItem, organisation, as_of, fields=["status"])
        if row["status"] != Status.RETIRED}
    ends = set()
    relationships = temporal.states_at(RelationshipVersion, Relationship, organisation,
                                       as_of, fields=["source_id", "target_id"])
    for row in relationships:
        ends.update((row["source_id"], row["target_id"]))
    return len(items), len(items & ends), len(relationships)


def cmdb_populated(organisation, params, as_of) -> EvidenceResult:
    changed = any(temporal.changed_since(version, organisation, as_of)
                  for version in (ConfigurationItemVersion, RelationshipVersion))
    total, related, relationships = (_populated_then if changed else _populated_now)(
        organisation, as_of)
    share = round(100 * related / total, 1) if total else 0.0
    figures = {"items": total, "relationships": relationships, "related_items": related,
               "related_percent": share, "min_items": params["min_items"],
               "min_related_percent": params["min_related_percent"]}
    met = (total >= params["min_items"]
           and related * 100 >= params["min_related_percent"] * total)
    summary = (f"The CMDB records {total:,} configuration items that are not retired and "
               f"{relationships:,} relationships; {related:,} items ({share:g}%) are related "
               f"to at least one other. Expected: at least {params['min_items']:,} items, "
               f"{params['min_related_percent']:g}% related.")
    return EvidenceResult(met, summary, figures, (_list_link("Configuration items"),))


RULES = [
    EvidenceRule(
        "cmdb.applications-owned", "Every system has an owner and ICT support",
        "Counts the live applications in the systems catalogue (recorded by the date checked). "
        "Met when there are at least the minimum number and every one has a business owner "
        "and an ICT support team.",
        applications_owned, (whole("min_applications", 1),)),
    EvidenceRule(
        "cmdb.servers-placed-and-used", "Every live server is placed and in use",
        "Looks at every live physical and virtual server. Met when there is at least one, "
        "each is at a recorded site, and at least one recorded item runs on it or depends on "
        "it.",
        servers_placed_and_used),
    EvidenceRule(
        "cmdb.architecture-mapped", "The architecture map covers the systems' interfaces",
        "Counts the systems (applications not retired) and their interfaces, direct or "
        "through an interface item. Met when there are at least the minimum number of "
        "systems, every interface item joins two systems, and the share of systems with no "
        "interface recorded is at most the limit.",
        architecture_mapped,
        (whole("min_systems", 1), number("max_unconnected_percent", 25, minimum=0,
                                         maximum=100))),
    EvidenceRule(
        "cmdb.populated", "The CMDB records the estate and how it fits together",
        "Counts the configuration items that are not retired and how many are related to "
        "another. Met when there are at least the minimum number of items and at least the "
        "given share are related.",
        cmdb_populated,
        (whole("min_items", 20), number("min_related_percent", 75, minimum=0, maximum=100))),
]
