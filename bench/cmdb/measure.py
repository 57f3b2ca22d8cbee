"""Time impact analysis and the CMDB's pages on a seeded database, in-process.

    python -m bench.cmdb.measure fixture.json --username edc-agent [--only impact,page_item]

For each operation, every CI of the fixture's sample (bench/cmdb/seed.py: up to 25 per
role, from applications down to access switches and desktops) is timed once at
concurrency 1, then once more at concurrency 8: two forked processes of four threads
each (as `borough serve` runs, two gunicorn workers of four threads), each thread with
its own database connection. Operations:

- `impact`: impact.impact(ci, DatabaseGraph) — everything that stops when the CI is lost
- `single_points`: impact.single_points_of_failure(ci, DatabaseGraph)
- `floor_impact`: the floor, the same answer from the same relationships held in memory
  in a networkx graph: a breadth-first walk up the dependents (`G.pred`) that marks an
  item down when every alternative of one of its groups is (`floor_impact` below,
  written apart from impact.py and checked against it)
- `floor_single_points`: nx.descendants, everything the CI depends on: the traversal
  single points of failure cannot do without (it does not solve the groups)
- `memory_impact`: impact.impact over the same in-memory graph: the algorithm without
  the database, to tell the database's part from Python's
- `page_item`: GET /configuration/items/<pk>/ with Django's test client, signed in
- `page_list`: GET /configuration/items/ (the first page, by name), as many times as
  there are CIs in the sample
- `page_catalogue`: GET /configuration/systems/ (the systems catalogue), as many times as
  there are CIs in the sample, in turn: with no `?unit=` (where a reader lands: the
  service unit they head or work in, the agent's is ICT), `?unit=all` (every service
  unit), and `?unit=<id>` for each of the council's service units (what a head of
  service reads of theirs)
- `page_system`: GET /configuration/systems/<pk>/ (one system's page) for the sample's
  applications and up to SYSTEMS applications in all, drawn with a fixed seed

The results (p50/p95/max in ms per operation and concurrency, p95 per role, the sizes of
the answers, a check that the database walk and the in-memory walk agree, and the
queries of each page for one CI per role) are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

import networkx as nx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from borough.cmdb import impact, rules  # noqa: E402
from borough.cmdb.models import Relationship  # noqa: E402

PROCESSES, THREADS = 2, 4
OPERATIONS = ["floor_impact", "memory_impact", "impact", "floor_single_points",
              "single_points", "page_item", "page_list", "page_catalogue", "page_system"]
# Applications whose system page is timed (the sample's, then others drawn to this many).
SYSTEMS = 100


def log(message: str) -> None:
    print(f"[cmdb measure {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_graph(organisation_id: int) -> nx.DiGraph:
    """The dependency edges (dependent -> dependency) with their redundancy groups (a set:
    two relationships of different types may join the same pair), as
    impact.DatabaseGraph reads them."""
    graph = nx.DiGraph()
    rows = Relationship.objects.filter(
        organisation_id=organisation_id, relationship_type__in=rules.SOURCE_DEPENDS
    ).order_by().values_list("source_id", "target_id", "relationship_type", "redundancy_group")
    for source, target, kind, label in rows.iterator(chunk_size=20_000):
        group = impact.group_key(source, kind, label, target)
        if graph.has_edge(source, target):
            graph[source][target]["groups"].add(group)
        else:
            graph.add_edge(source, target, groups={group})
    return graph


class NetworkxGraph:
    """impact.Graph over a networkx graph in memory."""

    def __init__(self, graph: nx.DiGraph):
        self.graph = graph

    def dependencies_of(self, ids):
        out = self.graph.out_edges
        return [impact.Dependency(a, b, group) for i in ids if i in self.graph
                for a, b, data in out(i, data=True) for group in data["groups"]]

    def dependents_at_risk(self, ids):
        dependents = {d for i in ids if i in self.graph for d in self.graph.predecessors(i)}
        edges = self.dependencies_of(dependents)
        at_risk = {edge.group for edge in edges if edge.dependency in ids}
        return [edge for edge in edges if edge.group in at_risk]

    def closure(self, target):
        return impact.closure_by_levels(target, self)


def floor_impact(graph: nx.DiGraph, failed: int) -> set[int]:
    """What stops when `failed` is lost, straight from networkx's adjacency: an item is down
    when every alternative of one of its redundancy groups is down."""
    if failed not in graph:
        return set()
    down, frontier = {failed}, [failed]
    succ, pred = graph.succ, graph.pred
    while frontier:
        found = []
        for lost in frontier:
            for dependent in pred[lost]:
                if dependent in down:
                    continue
                groups: dict[tuple, bool] = {}
                for dependency, data in succ[dependent].items():
                    for group in data["groups"]:
                        groups[group] = groups.get(group, True) and dependency in down
                if any(groups.values()):
                    down.add(dependent)
                    found.append(dependent)
        frontier = found
    return down - {failed}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(times: list[float]) -> dict:
    if not times:
        return {}
    return {"n": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 0.95), 2), "max_ms": round(max(times), 2),
            "mean_ms": round(statistics.fmean(times), 2)}


def catalogue_urls(organisation_id: int) -> list[str]:
    """The catalogue as its readers open it: where one lands, every unit, each unit."""
    from borough.organisation.models import ServiceUnit

    units = ServiceUnit.objects.filter(organisation_id=organisation_id).order_by("name")
    return ["/configuration/systems/", "/configuration/systems/?unit=all",
            *(f"/configuration/systems/?unit={pk}" for pk in units.values_list("pk", flat=True))]


def system_ids(organisation_id: int, sample: dict[str, list[int]]) -> list[int]:
    """The sample's applications, then others drawn with a fixed seed, SYSTEMS in all."""
    import random

    from borough.cmdb.models import ConfigurationItem

    applications = list(ConfigurationItem.objects.filter(
        organisation_id=organisation_id, ci_class__code=rules.APPLICATION)
        .exclude(status="retired").order_by("pk").values_list("pk", flat=True))
    sampled = {pk for ids in sample.values() for pk in ids} & set(applications)
    others = [pk for pk in applications if pk not in sampled]
    drawn = random.Random(17).sample(others, max(0, min(len(others), SYSTEMS - len(sampled))))
    return sorted(sampled) + sorted(drawn)


class Operations:
    def __init__(self, fixture: dict, username: str | None, graph: nx.DiGraph):
        self.organisation_id = fixture["organisation_id"]
        self.graph = graph
        self.memory = NetworkxGraph(graph)
        self.catalogue = catalogue_urls(self.organisation_id)
        self.session = None
        if username:
            from borough.accounts.models import User

            client = Client()
            client.force_login(User.objects.get(username=username))
            self.session = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self) -> Client:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.session
        return client

    def call(self, name: str, pk: int, client: Client | None):
        if name == "impact":
            return impact.impact(pk, impact.DatabaseGraph(self.organisation_id))
        if name == "single_points":
            return impact.single_points_of_failure(pk, impact.DatabaseGraph(self.organisation_id))
        if name == "memory_impact":
            return impact.impact(pk, self.memory)
        if name == "floor_impact":
            return floor_impact(self.graph, pk)
        if name == "floor_single_points":
            return nx.descendants(self.graph, pk) if pk in self.graph else set()
        url = {"page_item": f"/configuration/items/{pk}/",
               "page_list": "/configuration/items/",
               # For the catalogue, `pk` is the sample's position: each reading in turn.
               "page_catalogue": self.catalogue[pk % len(self.catalogue)],
               "page_system": f"/configuration/systems/{pk}/"}[name]
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    def time(self, name: str, ids: list[int]) -> list[float]:
        client = self.client() if name.startswith("page") else None
        times = []
        for pk in ids:
            started = time.perf_counter()
            self.call(name, pk, client)
            times.append((time.perf_counter() - started) * 1000)
        return times


def _threads(ops: Operations, name: str, ids: list[int], pipe) -> None:
    """In a forked process: THREADS threads share `ids`; their times go back over `pipe`."""
    times, errors = [], []
    lock = threading.Lock()
    shares = [ids[i::THREADS] for i in range(THREADS)]

    def work(share):
        try:
            found = ops.time(name, share)
            with lock:
                times.extend(found)
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipe.send((times, errors))
    pipe.close()


def concurrently(ops: Operations, name: str, ids: list[int]) -> list[float]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    connections.close_all()  # each process and thread opens its own
    processes, pipes = [], []
    for index in range(PROCESSES):
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_threads, args=(ops, name, ids[index::PROCESSES], child))
        process.start()
        processes.append(process)
        pipes.append(parent)
    times, errors = [], []
    for pipe in pipes:
        found, failed = pipe.recv()
        times += found
        errors += failed
    for process in processes:
        process.join()
    if errors:
        raise RuntimeError(f"{name} at concurrency {PROCESSES * THREADS}: {errors[0]}")
    return times


def page_queries(ops: Operations, sample: dict[str, list[int]]) -> dict:
    """Queries of the CI page for the first CI of each role, of the list page, of the
    catalogue (where the agent lands, every unit, two units) and of three systems' pages."""
    client = ops.client()
    found = {}
    targets = [(role, f"/configuration/items/{ids[0]}/") for role, ids in sample.items() if ids]
    systems = system_ids(ops.organisation_id, sample)[:3]
    for role, url in [*targets, ("list", "/configuration/items/"),
                      ("catalogue own unit", ops.catalogue[0]),
                      ("catalogue all units", ops.catalogue[1]),
                      *((f"catalogue unit {i}", u) for i, u in enumerate(ops.catalogue[2:4])),
                      *((f"system {pk}", f"/configuration/systems/{pk}/") for pk in systems)]:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        found[role] = {"url": url, "status": response.status_code, "ms": round(elapsed, 1),
                       "queries": len(captured.captured_queries),
                       "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries)
                                       * 1000, 1),
                       "bytes": len(response.content),
                       "slowest_sql": slowest["sql"][:400] if slowest else None,
                       "slowest_sql_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None}
    return found


def measure(fixture: dict, username: str | None, only: list[str] | None = None,
            concurrency8: bool = True) -> dict:
    started = time.perf_counter()
    graph = load_graph(fixture["organisation_id"])
    result = {"graph": {"load_seconds": round(time.perf_counter() - started, 2),
                        "nodes": graph.number_of_nodes(), "dependency_edges": graph.number_of_edges()}}
    ops = Operations(fixture, username, graph)
    sample = fixture["sample"]
    ids = [pk for role in sorted(sample) for pk in sample[role]]
    role_of = {pk: role for role, members in sample.items() for pk in members}
    names = [n for n in OPERATIONS if (not only or n in only)
             and (username or not n.startswith("page"))]
    # Answers' sizes, and the database walk checked against the in-memory one and the floor.
    sizes, disagree = {}, []
    for pk in ids:
        db = impact.impact(pk, impact.DatabaseGraph(ops.organisation_id))
        memory = impact.impact(pk, ops.memory)
        if db.paths != memory.paths or db.affected != floor_impact(graph, pk):
            disagree.append(pk)
        sizes[pk] = {"affected": len(db.paths),
                     "depends_on": len(ops.call("floor_single_points", pk, None)),
                     "levels": max((len(p) - 1 for p in db.paths.values()), default=0)}
    result["answers"] = {
        "affected_p50": statistics.median(s["affected"] for s in sizes.values()),
        "affected_max": max(s["affected"] for s in sizes.values()),
        "levels_max": max(s["levels"] for s in sizes.values()),
        "walks_that_differ": disagree,  # database, in-memory and networkx floor agree?
        "by_role": {role: {"affected_max": max(sizes[pk]["affected"] for pk in members),
                           "depends_on_max": max(sizes[pk]["depends_on"] for pk in members),
                           "levels_max": max(sizes[pk]["levels"] for pk in members)}
                    for role, members in sample.items() if members}}
    operations = {}
    systems = system_ids(ops.organisation_id, sample)
    for name in names:
        keys = {"page_catalogue": list(range(len(ids))), "page_system": systems}.get(name, ids)
        for pk in keys[:3]:  # warm-up: templates compiled, caches filled
            ops.call(name, pk, ops.client() if name.startswith("page") else None)
        c1 = ops.time(name, keys)
        entry = {"c1": figures(c1)}
        by_role: dict[str, list[float]] = {}
        for pk, elapsed in zip(keys, c1, strict=True):
            group = (ops.catalogue[pk % len(ops.catalogue)] if name == "page_catalogue"
                     else role_of.get(pk, "application (drawn)"))
            by_role.setdefault(group, []).append(elapsed)
        entry["c1_by_role"] = {role: figures(times) for role, times in by_role.items()}
        if concurrency8:
            entry["c8"] = figures(concurrently(ops, name, keys))
        operations[name] = entry
        log(f"{name}: c1 {entry['c1']}, c8 {entry.get('c8')}")
    for name, floor in (("impact", "floor_impact"), ("memory_impact", "floor_impact"),
                        ("single_points", "floor_single_points")):
        if name in operations and floor in operations:
            for level in ("c1", "c8"):
                ours, base = operations[name].get(level), operations[floor].get(level)
                if ours and base:
                    operations[name][f"{level}_x_floor"] = {
                        key: round(ours[key] / max(base[key], 0.001), 1)
                        for key in ("p50_ms", "p95_ms")}
    result["operations"] = operations
    if username and (not only or any(n.startswith("page") for n in only)):
        result["page_queries"] = page_queries(ops, sample)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--username", help="Sign in as this user for the pages.")
    parser.add_argument("--only", help="Only these operations (comma-separated).")
    parser.add_argument("--no-c8", action="store_true", help="Concurrency 1 only.")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.load(handle)
    only = args.only.split(",") if args.only else None
    print(json.dumps(measure(fixture, args.username, only, not args.no_c8)))


if __name__ == "__main__":
    main()
