"""A generated estate shaped like a real one, as plain tuples (no database).

    estate = generate(items=100_000, relationships=500_000, seed=7)

Items are numbered 0..n-1; `estate.items[i]` is (class code, name, role, attributes,
place) and `estate.edges` holds (source, target, type, redundancy group), unique by
(source, target, type), never to itself. `place` is 0 or 1 for the two data centres and
2.. for the offices, so the seeder can give hardware a site.

The shape, from the bottom up (every choice respects cmdb.rules.ALLOWED_PAIRS):

- two data centres, each with a pair of core switches on a pair of firewalls
  ("edge"), top-of-rack switch pairs on the cores ("uplinks"), storage arrays and
  physical hosts on a ToR pair ("uplinks"), hosts on a storage pair ("san") and backed
  up to the other centre's storage;
- offices reached over two network links each ("wan", one per firewall), an office
  router on the links, distribution switches on the router, access switches on a
  distribution pair ("uplinks"), wireless access points on an access switch;
- virtual servers on a cluster of hosts ("cluster": any one will do; a tenth are
  pinned to one host), databases on a virtual server or an availability pair;
- applications on one to four virtual servers ("web" when more than one), using one or
  two databases, most depending on the directory (the first application, on a pair of
  domain controllers); interfaces pass data between applications: each interface
  depends on its sending application, and for a third of them the receiving
  application depends on the interface, so dependencies between applications form
  chains and some cycles (one in a hundred pairs of applications depend on each other
  directly as well);
- telephony: call control pairs in the data centres, handsets on an access switch and
  a call control pair ("call control");
- end-user devices on an access switch (laptops: the switch or a wireless access point,
  "network"), each using its standard build and then desktop applications (a few
  popular ones used by most) until the relationship count is reached.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

# Share of the items per class; end-user devices take what is left.
MIX = {
    "virtual-server": 0.20, "application": 0.06, "interface": 0.06, "database": 0.04,
    "physical-server": 0.04, "telephony": 0.03, "network-device": 0.035,
    "network-link": 0.008, "storage": 0.006, "standard-build": 0.0002,
}
HOSTS_PER_CLUSTER = 4
DESKTOP_APP_SHARE = 0.05  # of the applications, the ones people use at their desks


@dataclass
class Estate:
    items: list[tuple] = field(default_factory=list)
    edges: list[tuple] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def add(self, code: str, name: str, role: str, place: int, attributes=None) -> int:
        self.items.append((code, name, role, attributes or {}, place))
        return len(self.items) - 1

    def link(self, source: int, target: int, kind: str, group: str = "") -> bool:
        key = (source, target, kind)
        if source == target or key in self._seen:
            return False
        self._seen.add(key)
        self.edges.append((source, target, kind, group))
        return True

    def by_role(self) -> dict[str, list[int]]:
        roles: dict[str, list[int]] = {}
        for index, (_, _, role, _, _) in enumerate(self.items):
            roles.setdefault(role, []).append(index)
        return roles


def _count(items: int, code: str, minimum: int) -> int:
    return max(minimum, round(items * MIX[code]))


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def generate(items: int = 100_000, relationships: int = 500_000, seed: int = 7) -> Estate:
    rng = random.Random(seed)
    e = Estate()
    n = {code: _count(items, code, 2) for code in MIX}
    offices = max(1, n["network-link"] // 2)

    # --- network -------------------------------------------------------------------
    firewalls = {dc: [e.add("network-device", f"FW-DC{dc + 1}-{i + 1}", "firewall", dc,
                            {"device_type": "Firewall", "ip_address": _ip(rng)})
                      for i in range(2)] for dc in (0, 1)}
    cores = {}
    for dc in (0, 1):
        cores[dc] = [e.add("network-device", f"CORE-DC{dc + 1}-{i + 1}", "core", dc,
                           {"device_type": "Switch"}) for i in range(2)]
        for core in cores[dc]:
            for fw in firewalls[dc]:
                e.link(core, fw, "connects_to", "edge")
    links = []
    for office in range(offices):
        pair = []
        for side in range(2):
            link = e.add("network-link", f"WAN-{office + 1:04d}-{'AB'[side]}", "link", 2 + office,
                         {"bandwidth_mbps": rng.choice([100, 200, 500, 1000]),
                          "provider": rng.choice(["Openreach", "Virgin Media Business",
                                                  "Neos", "Daisy"])})
            e.link(link, firewalls[side][office % 2], "connects_to")
            pair.append(link)
        links.append(pair)
    dc_hardware = n["physical-server"] + n["storage"]
    tor_pairs = max(1, math.ceil(dc_hardware / 40))
    tors = []
    for pair in range(tor_pairs):
        dc = pair % 2
        switches = [e.add("network-device", f"TOR-DC{dc + 1}-{pair + 1:03d}{'AB'[i]}", "tor", dc,
                          {"device_type": "Switch"}) for i in range(2)]
        for switch in switches:
            for core in cores[dc]:
                e.link(switch, core, "connects_to", "uplinks")
        tors.append((dc, switches))
    left = max(offices * 3, n["network-device"] - len(e.items) + len(links) * 2)
    routers, distribution = [], []
    for office in range(offices):
        router = e.add("network-device", f"RTR-{office + 1:04d}", "router", 2 + office,
                       {"device_type": "Router"})
        for link in links[office]:
            e.link(router, link, "connects_to", "wan")
        routers.append(router)
        pair = [e.add("network-device", f"DIST-{office + 1:04d}{'AB'[i]}", "distribution",
                      2 + office, {"device_type": "Switch"}) for i in range(2)]
        for switch in pair:
            e.link(switch, router, "connects_to")
        distribution.append(pair)
    left -= offices * 3
    access_count = max(offices, round(left * 0.8))
    access = []
    for i in range(access_count):
        office = i % offices
        switch = e.add("network-device", f"ACC-{office + 1:04d}-{i + 1:05d}", "access",
                       2 + office, {"device_type": "Switch", "ip_address": _ip(rng)})
        for dist in distribution[office]:
            e.link(switch, dist, "connects_to", "uplinks")
        access.append((office, switch))
    aps = []
    for i in range(max(1, left - access_count)):
        office, switch = rng.choice(access)
        ap = e.add("network-device", f"AP-{office + 1:04d}-{i + 1:05d}", "ap", 2 + office,
                   {"device_type": "Wireless access point"})
        e.link(ap, switch, "connects_to")
        aps.append((office, ap))
    access_by_office: dict[int, list[int]] = {}
    for office, switch in access:
        access_by_office.setdefault(office, []).append(switch)
    aps_by_office: dict[int, list[int]] = {}
    for office, ap in aps:
        aps_by_office.setdefault(office, []).append(ap)

    # --- storage and hosts -----------------------------------------------------------
    storage = {0: [], 1: []}
    for i in range(n["storage"]):
        dc = i % 2
        array = e.add("storage", f"SAN-DC{dc + 1}-{i + 1:03d}", "storage", dc,
                      {"capacity_tb": str(rng.choice([40, 80, 120, 200]))})
        for switch in rng.choice([t for t in tors if t[0] == dc] or tors)[1]:
            e.link(array, switch, "connects_to", "uplinks")
        storage[dc].append(array)
    for dc in (0, 1):  # a centre without storage borrows the other's
        storage[dc] = storage[dc] or storage[1 - dc]
    clusters: list[list[int]] = []
    for i in range(n["physical-server"]):
        dc = (i // HOSTS_PER_CLUSTER) % 2
        host = e.add("physical-server", f"ESX-DC{dc + 1}-{i + 1:05d}", "host", dc,
                     {"hostname": f"esx{i + 1:05d}.dc{dc + 1}.council.local",
                      "operating_system": "VMware ESXi 8", "cpu_cores": 64, "ip_address": _ip(rng)})
        for switch in rng.choice([t for t in tors if t[0] == dc] or tors)[1]:
            e.link(host, switch, "connects_to", "uplinks")
        for array in rng.sample(storage[dc], min(2, len(storage[dc]))):
            e.link(host, array, "depends_on", "san")
        e.link(host, rng.choice(storage[1 - dc]), "backed_up_to")
        if i % HOSTS_PER_CLUSTER == 0:
            clusters.append([])
        clusters[-1].append(host)

    # --- virtual servers, databases, applications ---------------------------------------
    vms = []
    for i in range(n["virtual-server"]):
        vm = e.add("virtual-server", f"vm{i + 1:06d}", "vm", -1,
                   {"hostname": f"vm{i + 1:06d}.council.local",
                    "operating_system": rng.choice(["Windows Server 2022", "Windows Server 2019",
                                                    "Red Hat Enterprise Linux 9", "Ubuntu 24.04"]),
                    "cpu_cores": rng.choice([2, 4, 8])})
        cluster = rng.choice(clusters)
        if rng.random() < 0.1:
            e.link(vm, rng.choice(cluster), "runs_on")
        else:
            for host in cluster:
                e.link(vm, host, "runs_on", "cluster")
        e.link(vm, rng.choice(storage[rng.randint(0, 1)]), "backed_up_to")
        vms.append(vm)
    databases = []
    for i in range(n["database"]):
        db = e.add("database", f"DB-{i + 1:05d}", "database", -1,
                   {"engine": rng.choice(["SQL Server 2019", "SQL Server 2022", "PostgreSQL 16",
                                          "Oracle 19c"])})
        if rng.random() < 0.3:
            for vm in rng.sample(vms, 2):
                e.link(db, vm, "runs_on", "availability group")
        else:
            e.link(db, rng.choice(vms), "runs_on")
        e.link(db, rng.choice(storage[rng.randint(0, 1)]), "backed_up_to")
        databases.append(db)
    apps = []
    for i in range(n["application"]):
        name = "Active Directory" if i == 0 else f"Application {i:05d}"
        app = e.add("application", name, "directory" if i == 0 else "application", -1,
                    {"vendor": rng.choice(["Capita", "Civica", "Idox", "Northgate", "Microsoft",
                                           "In house"]),
                     "number_of_users": rng.randint(5, 2000)})
        servers = rng.sample(vms, min(len(vms), rng.choice([1, 1, 2, 2, 3, 4])))
        for vm in servers:
            e.link(app, vm, "runs_on", "web" if len(servers) > 1 else "")
        if i:
            for db in rng.sample(databases, min(len(databases), rng.choice([1, 1, 2]))):
                e.link(app, db, "uses")
            if rng.random() < 0.8:
                e.link(app, apps[0], "depends_on")
        apps.append(app)
    for i in range(n["interface"]):
        sender, receiver = rng.sample(apps[1:] or apps, 2) if len(apps) > 2 else apps[:2]
        interface = e.add("interface", f"IF-{i + 1:05d}", "interface", -1,
                          {"method": rng.choice(["File transfer", "Web service", "Database link",
                                                 "Message queue"])})
        e.link(interface, sender, "interfaces_with")
        if rng.random() < 1 / 3:
            e.link(receiver, interface, "interfaces_with")
    for _ in range(max(1, len(apps) // 100)):  # pairs that lean on each other
        a, b = rng.sample(apps[1:] or apps, 2) if len(apps) > 2 else apps[:2]
        e.link(a, b, "depends_on")
        e.link(b, a, "depends_on")

    # --- telephony, builds and the desktop ---------------------------------------------
    call_control = {dc: [e.add("telephony", f"CALL-DC{dc + 1}-{i + 1}", "call control", dc,
                               {"provider": "Mitel"}) for i in range(2)] for dc in (0, 1)}
    for dc in (0, 1):
        for platform in call_control[dc]:
            e.link(platform, rng.choice([t for t in tors if t[0] == dc] or tors)[1][0],
                   "connects_to")
    for i in range(max(0, n["telephony"] - 4)):
        office, switch = rng.choice(access)
        phone = e.add("telephony", f"PHONE-{office + 1:04d}-{i + 1:05d}", "handset", 2 + office,
                      {"extensions": 1})
        e.link(phone, switch, "connects_to")
        for platform in call_control[office % 2]:
            e.link(phone, platform, "depends_on", "call control")
    builds = [e.add("standard-build", f"Standard build {2019 + i // 4}.{i % 4 + 1}", "build", -1,
                    {"build_version": f"{2019 + i // 4}.{i % 4 + 1}",
                     "operating_system": "Windows 11"}) for i in range(n["standard-build"])]
    desktops = []
    for i in range(max(1, items - len(e.items))):
        office = rng.randrange(offices)
        laptop = rng.random() < 0.4
        kind = "Laptop" if laptop else rng.choice(["Desktop", "Desktop", "Thin client"])
        device = e.add("end-user-device", f"{'LT' if laptop else 'PC'}-{i + 1:06d}", "device",
                       2 + office, {"device_type": kind, "asset_tag": f"CBC{i + 1:06d}"})
        switch = rng.choice(access_by_office[office])
        if laptop and aps_by_office.get(office):
            e.link(device, switch, "connects_to", "network")
            e.link(device, rng.choice(aps_by_office[office]), "connects_to", "network")
        else:
            e.link(device, switch, "connects_to")
        e.link(device, rng.choice(builds), "uses")
        desktops.append(device)
    # Desktop applications by popularity (Zipf-like): a few used by nearly everyone.
    popular = apps[1:max(2, round(len(apps) * DESKTOP_APP_SHARE))] or apps
    weights = [1 / (rank + 1) for rank in range(len(popular))]
    tries = 0
    while len(e.edges) < relationships and tries < relationships * 4:
        tries += 1
        device = desktops[rng.randrange(len(desktops))]
        e.link(device, rng.choices(popular, weights)[0], "uses")
    return e
