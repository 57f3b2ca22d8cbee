"""Reads of the catalogue that are more than a filter: which services a configuration
item supports and which stop when it is lost, what a service depends on and its single
points of failure. Other apps read the catalogue through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Concat

from borough.catalogue import graph
from borough.catalogue.models import (
    BusinessService,
    OperationalLevelAgreement,
    ServiceComponent,
    ServiceLevelAgreement,
    ServiceStatus,
)
from borough.cmdb import queries as cmdb
from borough.core import suggestions


@dataclass(frozen=True)
class ServicePath:
    """A service and how it reaches a CI: the component that delivers it, what that
    depends on, … the CI."""

    service: BusinessService
    path: tuple

    @property
    def component(self):
        return self.path[0]


@dataclass(frozen=True)
class Dependency:
    """A CI a service depends on, with the path from the component to it."""

    item: object
    path: tuple

    @property
    def depth(self) -> int:
        return len(self.path)


def _services(ids, user) -> dict[int, BusinessService]:
    return {s.pk: s for s in BusinessService.objects.visible_to(user).filter(pk__in=list(ids))}


def _service_paths(found: dict[int, tuple], user) -> list[ServicePath]:
    """{service node: (service node, component CI, …, CI)} as ServicePaths of what the
    user may see, in the order found (nearest first)."""
    rows = {graph.service_id(node): path[1:] for node, path in found.items()
            if graph.is_service(node)}
    services = _services(rows, user)
    items = cmdb.items_by_id({i for path in rows.values() for i in path}, user)
    return [ServicePath(services[pk], tuple(items[i] for i in path))
            for pk, path in rows.items()
            if pk in services and all(i in items for i in path)]


def _reach(item) -> graph.ServiceGraph | None:
    """What the services stand on (graph.services_reach), read once for the instance
    (a page asks what stops and what is supported); None when no service stands on
    `item`. Kept on the instance, which lives as long as its request."""
    if "_services_reach" not in item.__dict__:
        rows = graph.DatabaseComponents(item.organisation_id).all()
        reach = graph.services_reach(cmdb.DatabaseGraph(item.organisation_id), rows)
        stood_on = reach is not None and (
            item.pk in reach.items or any(row[1] == item.pk for row in rows))
        item.__dict__["_services_reach"] = reach if stood_on else None
    return item.__dict__["_services_reach"]


def services_supported_by(item, user) -> list[ServicePath]:
    """Every service (not retired) that depends on `item`, transitively, whether or
    not it has an alternative to it."""
    reach = _reach(item)
    return _service_paths(cmdb.dependent_paths(item.pk, reach), user) if reach else []


def services_stopped_by(item, user) -> list[ServicePath]:
    """The services (not retired) that stop when `item` is lost, redundancy honoured
    between a service's components and in the CI graph, nearest first."""
    reach = _reach(item)
    return _service_paths(cmdb.impact_graph(item.pk, reach).paths, user) if reach else []


def dependencies_of(service: BusinessService, user) -> list[Dependency]:
    """Everything `service` depends on, transitively, nearest first, each with one
    shortest path from the component that delivers it."""
    found = cmdb.dependency_paths(graph.service_node(service.pk),
                                  graph.database_graph(service.organisation_id))
    items = cmdb.items_by_id(found, user)
    return [Dependency(items[i], tuple(items[p] for p in path[1:]))
            for i, path in found.items() if all(p in items for p in path[1:])]


def dependency_ids(service: BusinessService) -> set[int]:
    """For Borough's own jobs, which have no reader: the ids of every CI the service
    depends on, transitively."""
    node = graph.service_node(service.pk)
    return set(cmdb.dependency_paths(node, graph.database_graph(service.organisation_id))
               ) - {node}


def single_points_of_failure(service: BusinessService, user) -> list:
    """The CIs whose loss alone stops `service`, by name."""
    return single_points_of_each([service], user)[service.pk]


def single_points_of_each(services, user) -> dict[int, list]:
    """{service id: the CIs whose loss alone stops it, by name}, from one walk."""
    services = list(services)
    if not services:
        return {}
    nodes = {graph.service_node(s.pk): s.pk for s in services}
    found = cmdb.single_points_of_failure_of_each(
        nodes, graph.database_graph(services[0].organisation_id))
    items = cmdb.items_by_id({i for ids in found.values() for i in ids}, user)
    return {pk: sorted((items[i] for i in found[node] if i in items),
                       key=lambda ci: (ci.name, ci.pk))
            for node, pk in nodes.items()}


def components_of(service: BusinessService, user) -> list[ServiceComponent]:
    """The service's components, alternatives together, with their items' classes."""
    return list(ServiceComponent.objects.visible_to(user).filter(service=service)
                .select_related("configuration_item__ci_class")
                .order_by("redundancy_group", "configuration_item__name", "pk"))


def live_services(user, criticalities=None):
    """The live services `user` may see, optionally of these criticalities."""
    services = BusinessService.objects.visible_to(user).filter(status=ServiceStatus.LIVE)
    if criticalities:
        services = services.filter(criticality__in=criticalities)
    return services.select_related("service_unit", "owner").order_by("name", "pk")


def component_counts(services) -> dict[int, int]:
    """{service id: how many components it has recorded}, in one query."""
    return dict(ServiceComponent.objects.filter(service__in=[s.pk for s in services])
                .values("service").annotate(n=Count("pk")).values_list("service", "n"))


def agreements_of(service: BusinessService, user) -> list:
    return list(ServiceLevelAgreement.objects.visible_to(user).filter(service=service)
                .select_related("customer_service_unit", "signatory"))


def operational_agreements_of(service: BusinessService, user) -> list:
    return list(OperationalLevelAgreement.objects.visible_to(user).filter(service=service)
                .select_related("provider_team", "receiving_team"))


# --- for other apps choosing and showing services (the service desk's tickets) ----------

def choosable_services(user):
    """The services `user` may name on a record (a ticket's service): every one they can
    see, retired too, so a ticket about a retired one still reads as it was."""
    return BusinessService.objects.visible_to(user)


def services_of_item(item_id: int):
    """The services (not retired) whose components include the CI: for scoping by the
    caller (`.filter(pk__in=…)`), or to read as a list."""
    return (BusinessService.objects.filter(components__configuration_item_id=item_id)
            .exclude(status=ServiceStatus.RETIRED).values("pk"))


def suggest_services(user, text: str, *, item_id: int | None = None,
                     limit: int = suggestions.LIMIT) -> tuple[list[BusinessService], set[int]]:
    """Suggestions as `user` types part of a service's name or reference, not retired;
    with `item_id` (the CI already chosen), the services it delivers first, and all of
    them while nothing is typed. Also the ids of those put first."""
    services = choosable_services(user).exclude(status=ServiceStatus.RETIRED)
    own = (set(services.filter(pk__in=services_of_item(item_id)).order_by()
               .values_list("pk", flat=True)[:limit]) if item_id else set())
    if len((text or "").strip()) < suggestions.MIN_LENGTH:
        found = list(services.filter(pk__in=own).order_by("name", "pk")) if own else []
        return found, own
    found = suggestions.suggest(services, text, limit)
    found.sort(key=lambda s: s.pk not in own)  # stable: the CI's own first, in rank order
    return found, own


def services_depending_on(item_id: int, user, limit: int = 10
                          ) -> tuple[list[BusinessService], int]:
    """Up to `limit` of the services (not retired) that depend on the CI, directly or
    through the CIs that depend on it, whatever the redundancy (what it supports; what
    stops is services_stopped_by), by name, and how many: one query."""
    delivering = ServiceComponent.objects.filter(
        Q(configuration_item_id=item_id)
        | Q(configuration_item_id__in=cmdb.dependent_ids(item_id))).values("service_id")
    found = list(BusinessService.objects.visible_to(user).filter(pk__in=delivering)
                 .exclude(status=ServiceStatus.RETIRED).annotate(total=Window(Count("pk")))
                 .order_by("name", "pk")[:limit])
    return found, (found[0].total if found else 0)


def services_relying_on(item_id: int) -> list[BusinessService]:
    """For Borough's own jobs, which have no reader (a capacity forecast's problem): the
    services (not retired) that depend on the CI, directly or through the CIs that depend
    on it, by name."""
    delivering = ServiceComponent.objects.filter(
        Q(configuration_item_id=item_id)
        | Q(configuration_item_id__in=cmdb.dependent_ids(item_id))).values("service_id")
    return list(BusinessService.objects.filter(pk__in=delivering)
                .exclude(status=ServiceStatus.RETIRED).select_related("owner__user")
                .order_by("name", "pk"))


def live_services_of(organisation_id: int) -> list[BusinessService]:
    """The organisation's live services, by name: what the portal offers a requester as
    "which system?" (read for them, who cannot open the catalogue; names only shown)."""
    return list(BusinessService.objects.filter(organisation_id=organisation_id,
                                               status=ServiceStatus.LIVE).order_by("name", "pk"))


def label_of(outer_ref: str) -> Subquery:
    """A service's "REFERENCE Name" for the id in another query's `outer_ref` column, as
    a scalar subquery (lists of tickets name their service without a join)."""
    return Subquery(BusinessService.objects.filter(pk=OuterRef(outer_ref)).order_by()
                    .annotate(label=Concat("reference", Value(" "), "name"))
                    .values("label")[:1])


def delivering(organisation_id: int, item_ids) -> dict[int, list[int]]:
    """{CI id: ids of the services (not retired) it is a component of}, for these CIs."""
    found: dict[int, list[int]] = {}
    if not item_ids:
        return found
    for item_id, service_id in (ServiceComponent.objects.filter(
            organisation_id=organisation_id, configuration_item_id__in=list(item_ids))
            .exclude(service__status=ServiceStatus.RETIRED)
            .values_list("configuration_item_id", "service_id")):
        found.setdefault(item_id, []).append(service_id)
    return found
