"""The demo council's estate, as its ICT strategy describes it: servers consolidated in
the computer room at Whitehaven, a backup suite at Moresby and the high-duty link between
them, a telephone system spanning both offices, every office computer on one domain with
a standard build; and a systems catalogue of about 25 applications across the service
units, with the interfaces between them. Loaded through core.services (each record
audited); safe to run again (an item of the same name is left as it is). Classes are named
by the codes the CMDB ships them with (cmdb/defaults.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from borough.accounts.models import User
from borough.cmdb.models import CIClass, ConfigurationItem, Relationship
from borough.core import services
from borough.organisation import models as org

ON_PREM, HOSTED, SAAS = "On premises", "Supplier hosted", "Software as a service"

# name, service unit, vendor, users, hosting, criticality, data classification, server
APPLICATIONS = [
    ("Financials", "Finance", "Unit4", 85, ON_PREM, "critical", "official", "APP01"),
    ("Purchasing and e-procurement", "Finance", "Proactis", 60, SAAS, "medium", "official", None),
    ("Income management", "Finance", "Civica", 30, ON_PREM, "high", "official_sensitive", "APP01"),
    ("Council Tax and business rates", "Revenues and Benefits", "Northgate", 45, ON_PREM,
     "critical", "official_sensitive", "REV01"),
    ("Housing Benefit", "Revenues and Benefits", "Northgate", 30, ON_PREM, "critical",
     "official_sensitive", "REV01"),
    ("Revenues document imaging", "Revenues and Benefits", "Civica", 40, ON_PREM, "high",
     "official_sensitive", "DMS01"),
    ("Planning and building control", "Planning", "Idox", 35, ON_PREM, "high", "official",
     "APP02"),
    ("Local land charges", "Planning", "Idox", 6, ON_PREM, "medium", "official", "APP02"),
    ("Geographic information system", "Planning", "Esri", 50, ON_PREM, "medium", "official",
     "GIS01"),
    ("Environmental health case management", "Environmental Health", "Idox", 25, ON_PREM,
     "high", "official_sensitive", "APP02"),
    ("Licensing", "Environmental Health", "Idox", 8, ON_PREM, "medium", "official", "APP02"),
    ("Housing management", "Housing", "Northgate", 40, ON_PREM, "high", "official_sensitive",
     "APP03"),
    ("Housing repairs", "Housing", "Orchard", 20, ON_PREM, "medium", "official", "APP03"),
    ("Choice-based lettings", "Housing", "Abritas", 12, HOSTED, "medium",
     "official_sensitive", None),
    ("Leisure bookings", "Leisure", "Gladstone", 30, SAAS, "medium", "official", None),
    ("Electoral registration", "Elections", "Xpress", 6, ON_PREM, "high",
     "official_sensitive", "APP04"),
    ("Payroll", "HR and Payroll", "MHR iTrent", 12, ON_PREM, "critical",
     "official_sensitive", "HR01"),
    ("HR self-service", "HR and Payroll", "MHR iTrent", 420, ON_PREM, "medium",
     "official_sensitive", "HR01"),
    ("Customer relationship management", "Customer Services", "Lagan", 35, ON_PREM, "high",
     "official_sensitive", "APP04"),
    ("Document management", "Customer Services", "Civica", 150, ON_PREM, "high",
     "official_sensitive", "DMS01"),
    ("Council website", "Communications", "Jadu", 0, HOSTED, "high", "official", None),
    ("Intranet", "Communications", "Jadu", 450, ON_PREM, "low", "official", "WEB01"),
    ("Email", "ICT", "Microsoft", 480, ON_PREM, "critical", "official_sensitive", "EXCH01"),
    ("File and print", "ICT", "Microsoft", 480, ON_PREM, "high", "official_sensitive",
     "FILE01"),
    ("Backup", "ICT", "Veeam", 4, ON_PREM, "high", "official_sensitive", "BKP01"),
]

# Direct interfaces, and interfaces through an interface item (name, method, frequency).
DIRECT = [
    ("Council Tax and business rates", "Housing Benefit"),
    ("Customer relationship management", "Council Tax and business rates"),
    ("Customer relationship management", "Council website"),
    ("Planning and building control", "Geographic information system"),
    ("Local land charges", "Geographic information system"),
    ("Environmental health case management", "Geographic information system"),
    ("Housing management", "Housing repairs"),
    ("Choice-based lettings", "Housing management"),
    ("HR self-service", "Payroll"),
    ("Council website", "Leisure bookings"),
    ("Planning and building control", "Document management"),
]
THROUGH = [
    ("Revenues to ledger nightly file", "File transfer", "Nightly",
     "Council Tax and business rates", "Financials"),
    ("Benefit payments file", "File transfer", "Weekly", "Housing Benefit", "Financials"),
    ("Payroll journal", "File transfer", "Monthly", "Payroll", "Financials"),
    ("Cash receipting feed", "Database link", "Real time", "Income management", "Financials"),
    ("Payments to revenues accounts", "File transfer", "Nightly", "Income management",
     "Council Tax and business rates"),
    ("Household data for canvass", "File transfer", "Annually", "Council Tax and business rates",
     "Electoral registration"),
    ("Revenues document indexing", "Web service", "Real time", "Council Tax and business rates",
     "Revenues document imaging"),
]

# name, class code, site index (0 Whitehaven, 1 Moresby), attributes, criticality
HARDWARE = [
    ("WHVHOST01", "physical-server", 0, {"hostname": "whvhost01", "cpu_cores": 32,
                                             "memory_gb": "512", "rack_position": "A1 U10"}),
    ("WHVHOST02", "physical-server", 0, {"hostname": "whvhost02", "cpu_cores": 32,
                                             "memory_gb": "512", "rack_position": "A1 U14"}),
    ("WHVHOST03", "physical-server", 0, {"hostname": "whvhost03", "cpu_cores": 32,
                                             "memory_gb": "512", "rack_position": "A2 U10"}),
    ("MORHOST01", "physical-server", 1, {"hostname": "morhost01", "cpu_cores": 24,
                                             "memory_gb": "256", "rack_position": "B1 U4"}),
    ("WHV-SAN01", "storage", 0, {"capacity_tb": "60"}),
    ("MOR-BACKUP01", "storage", 1, {"capacity_tb": "120"}),
    ("WHV-CORE01", "network-device", 0, {"device_type": "Switch"}),
    ("WHV-FW01", "network-device", 0, {"device_type": "Firewall"}),
    ("MOR-CORE01", "network-device", 1, {"device_type": "Switch"}),
    ("Whitehaven to Moresby link", "network-link", 0, {"bandwidth_mbps": 1000,
                                                           "provider": "Openreach"}),
    ("Internet connection", "network-link", 0, {"bandwidth_mbps": 500,
                                                    "provider": "Janet"}),
    ("Telephone system", "telephony", 0, {"extensions": 520, "provider": "Mitel"}),
]
VIRTUAL = ["DC01", "DC02", "APP01", "APP02", "APP03", "APP04", "REV01", "HR01", "DMS01",
           "GIS01", "WEB01", "EXCH01", "FILE01", "SQL01", "SQL02", "BKP01"]
DATABASES = [("Revenues database", "SQL01", ["Council Tax and business rates", "Housing Benefit"]),
             ("Finance database", "SQL02", ["Financials", "Income management"]),
             ("Payroll database", "SQL02", ["Payroll", "HR self-service"])]
ON_THE_INTERNET = {"Purchasing and e-procurement", "Choice-based lettings", "Leisure bookings",
                   "Council website", "Email"}


@dataclass
class Estate:
    organisation: object
    classes: dict
    items: dict

    def add(self, name, code, **fields) -> ConfigurationItem:
        if name in self.items:
            return self.items[name]
        fields.setdefault("status", "live")
        item = services.create_record(ConfigurationItem(
            organisation=self.organisation, name=name, ci_class=self.classes[code], **fields),
            actor=None, note="Demo estate.")
        self.items[name] = item
        return item

    def relate(self, source, kind, target, group="") -> None:
        source, target = self.items[source], self.items[target]
        if Relationship.objects.filter(source=source, target=target,
                                       relationship_type=kind).exists():
            return
        services.create_record(Relationship(
            organisation=self.organisation, source=source, target=target,
            relationship_type=kind, redundancy_group=group), actor=None, note="Demo estate.")


def _person(organisation, name, unit, title):
    found = org.Person.objects.filter(organisation=organisation, full_name=name).first()
    return found or services.create_record(org.Person(
        organisation=organisation, full_name=name, job_title=title, service_unit=unit,
        email=f"{name.lower().replace(' ', '.')}@{organisation.email_domain or 'example.gov.uk'}"),
        actor=None)


HEADS = {"Finance": "Helen Moss", "Revenues and Benefits": "Ian Carr",
         "Planning": "Ruth Dixon", "Environmental Health": "Omar Shah",
         "Housing": "Grace Nolan", "Leisure": "Tom Pike", "Elections": "Ann Wray",
         "HR and Payroll": "Beth Lowe", "Customer Services": "Dev Patel",
         "Communications": "Sara Kerr", "ICT": "Neil Ash"}


def load() -> dict[str, int]:
    """The estate for Copeland, the council whose strategy describes it; Eskmouth keeps an
    empty CMDB, as a council starting out would."""
    found = org.Organisation.objects.filter(code="cbc").first()
    if found is None:
        return {}
    head = User.objects.filter(username="cbc-unithead").first()
    return {found.code: load_organisation(found, unit_head_user=head)}


@transaction.atomic
def load_organisation(organisation, *, unit_head_user=None) -> int:
    """The estate for one council; returns how many items it added."""
    classes = {c.code: c for c in CIClass.objects.filter(organisation=organisation)}
    estate = Estate(organisation, classes, {
        ci.name: ci for ci in ConfigurationItem.objects.filter(organisation=organisation)})
    before = len(estate.items)
    units = {u.name: u for u in org.ServiceUnit.objects.filter(organisation=organisation)}
    sites = list(org.Site.objects.filter(organisation=organisation).order_by("pk"))
    teams = {t.name: t for t in org.Team.objects.filter(organisation=organisation)}
    owners = {}
    for unit_name, unit in units.items():
        head = _person(organisation, HEADS.get(unit_name, f"Head of {unit_name}"), unit,
                       f"Head of {unit_name}")
        owners[unit_name] = head
        if unit.head_id is None:
            if unit_name == "Revenues and Benefits" and unit_head_user is not None:
                # The demo's Service Unit Head login heads this unit, so their catalogue
                # opens on its systems.
                head = (org.Person.objects.filter(organisation=organisation,
                                                  user=unit_head_user).first() or head)
            services.update_record(unit, actor=None, data={"head": head}, expected_version=None)
    whitehaven, moresby = sites[0], sites[-1]
    infrastructure, applications = teams.get("Infrastructure"), teams.get("Applications")

    for name, code, site, attrs in HARDWARE:
        estate.add(name, code, site=(whitehaven, moresby)[min(site, 1)], attributes=attrs,
                   support_team=infrastructure, criticality="critical",
                   data_classification="not_held")
    for n, name in enumerate(VIRTUAL):
        at_moresby = name in ("DC02", "BKP01")
        estate.add(name, "virtual-server", site=moresby if at_moresby else whitehaven,
                   attributes={"hostname": name.lower(), "cpu_cores": 4 + 2 * (n % 3),
                               "memory_gb": str(16 * (1 + n % 4)),
                               "operating_system": "Windows Server 2022"},
                   support_team=infrastructure, data_classification="official_sensitive")
    estate.add("Corporate domain", "application", service_unit=units.get("ICT"),
               owner=owners.get("ICT"), support_team=infrastructure, criticality="critical",
               attributes={"vendor": "Microsoft", "number_of_users": 480, "hosting": ON_PREM},
               description="Active Directory: every office computer and login is on it.")
    estate.add("Corporate desktop build 2026.1", "standard-build",
               support_team=infrastructure, data_classification="not_held",
               attributes={"build_version": "2026.1", "operating_system": "Windows 11 24H2",
                           "released_on": "2026-04-01"})
    for name, unit, vendor, users, hosting, criticality, data, _server in APPLICATIONS:
        estate.add(name, "application", service_unit=units.get(unit), owner=owners.get(unit),
                   support_team=applications if unit != "ICT" else infrastructure,
                   criticality=criticality, data_classification=data,
                   attributes={"vendor": vendor, "number_of_users": users, "hosting": hosting})
    for name, method, frequency, _a, _b in THROUGH:
        estate.add(name, "interface", support_team=applications,
                   data_classification="official_sensitive",
                   attributes={"method": method, "frequency": frequency})
    for name, server, _apps in DATABASES:
        estate.add(name, "database", support_team=applications,
                   data_classification="official_sensitive",
                   attributes={"engine": "SQL Server 2019", "instance_name": server})
    for n in range(1, 11):
        estate.add(f"PC-WHV-{n:04d}", "end-user-device", site=whitehaven if n <= 7 else moresby,
                   support_team=teams.get("Service Desk"), data_classification="official",
                   attributes={"device_type": "Laptop" if n % 3 else "Desktop",
                               "asset_tag": f"CBC{n:05d}",
                               "operating_system": "Windows 11 24H2"})

    _relate_estate(estate)
    return len(estate.items) - before


def _relate_estate(estate: Estate) -> None:
    runs, depends, connects = "runs_on", "depends_on", "connects_to"
    iw, backed, uses = "interfaces_with", "backed_up_to", "uses"
    cluster = ("WHVHOST01", "WHVHOST02", "WHVHOST03")
    for name in VIRTUAL:
        if name in ("DC02", "BKP01"):
            estate.relate(name, runs, "MORHOST01")
        else:
            for host in cluster:  # the cluster moves a VM to another host: alternatives
                estate.relate(name, runs, host, "Whitehaven cluster")
        if name != "BKP01":
            estate.relate(name, backed, "MOR-BACKUP01")
    for host in cluster:
        estate.relate(host, depends, "WHV-SAN01")
        estate.relate(host, connects, "WHV-CORE01")
    estate.relate("MORHOST01", connects, "MOR-CORE01")
    estate.relate("MOR-CORE01", connects, "Whitehaven to Moresby link")
    estate.relate("Whitehaven to Moresby link", connects, "WHV-CORE01")
    # Each "connects to" points from what needs the connection to what gives it.
    estate.relate("WHV-FW01", connects, "WHV-CORE01")
    estate.relate("Internet connection", connects, "WHV-FW01")
    estate.relate("Telephone system", connects, "WHV-CORE01")
    estate.relate("Telephone system", connects, "Whitehaven to Moresby link")
    for dc in ("DC01", "DC02"):
        estate.relate("Corporate domain", runs, dc, "domain controllers")
    for name, _unit, _v, _u, _h, _c, _d, server in APPLICATIONS:
        if server:
            estate.relate(name, runs, server)
            estate.relate(name, depends, "Corporate domain")
        if name in ON_THE_INTERNET:
            estate.relate(name, uses, "Internet connection")
    for name, server, apps in DATABASES:
        estate.relate(name, runs, server)
        for app in apps:
            estate.relate(app, depends, name)
    for a, b in DIRECT:
        estate.relate(a, iw, b)
    for name, _method, _frequency, a, b in THROUGH:
        estate.relate(a, iw, name)
        estate.relate(name, iw, b)
    for n in range(1, 11):
        device = f"PC-WHV-{n:04d}"
        estate.relate(device, uses, "Corporate desktop build 2026.1")
        estate.relate(device, depends, "Corporate domain")
