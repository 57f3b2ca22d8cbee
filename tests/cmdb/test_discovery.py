"""Discovery from the directory, against a real slapd holding computer objects shaped as
Active Directory's (tests/slapd.py: AD's `computer` class, objectGUID as 16 bytes,
userAccountControl's disabled flag), read by a service account whose searches the server
limits to 50 entries unless they are paged."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.ldap

ldap = pytest.importorskip(
    "ldap", reason="python-ldap is not installed: install the ldap extra "
    "(pip install 'borough[ldap]')", exc_type=ImportError)

from ldap import modlist  # noqa: E402

from borough.cmdb import services as cmdb_services  # noqa: E402
from borough.cmdb.discovery import directory, services  # noqa: E402
from borough.cmdb.discovery.directory import Computer  # noqa: E402
from borough.cmdb.models import (  # noqa: E402
    CIClass,
    ConfigurationItem,
    DirectorySource,
    DiscoveryRun,
    MissingReason,
    RunOutcome,
    Status,
)
from borough.core import roles  # noqa: E402
from borough.core import services as core_services  # noqa: E402
from borough.core.models import AuditEvent  # noqa: E402
from borough.core.registry import registry  # noqa: E402
from tests.cmdb.factories import ConfigurationItemFactory  # noqa: E402
from tests.conftest import make_member  # noqa: E402
from tests.organisation.factories import SiteFactory  # noqa: E402
from tests.slapd import AD_SCHEMA, SlapdUnavailable, free_port, running_slapd  # noqa: E402

BASE = "dc=council,dc=test"
COMPUTERS = f"ou=computers,{BASE}"
SERVERS = f"ou=servers,{COMPUTERS}"
DESKTOPS = f"ou=workstations,{COMPUTERS}"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{BASE}", "directory-admin-secret"
READER_DN, READER_PASSWORD = f"cn=borough-reader,{BASE}", "reader-secret"
PASSWORD_ENV = "DISCOVERY_CBC_PASSWORD"
ENABLED, DISABLED = 4096, 4096 | 2  # WORKSTATION_TRUST_ACCOUNT, plus ACCOUNTDISABLE
# The reader's searches stop at 50 entries unless paged, in pages of at most 50.
LIMITS = ("sizelimit size.soft=50 size.hard=50 size.pr=50 size.prtotal=unlimited",)


def base_ldif() -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: council\n"
        "o: Test council\n",
        f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: borough-reader\nuserPassword: {READER_PASSWORD}\n",
        f"dn: {COMPUTERS}\nobjectClass: organizationalUnit\nou: computers\n",
        f"dn: {SERVERS}\nobjectClass: organizationalUnit\nou: servers\n",
        f"dn: {DESKTOPS}\nobjectClass: organizationalUnit\nou: workstations\n",
    ]
    return "\n".join(entries)


@pytest.fixture(scope="module")
def slapd_ad(tmp_path_factory):
    try:
        with running_slapd(tmp_path_factory.mktemp("slapd-ad"), suffix=BASE, admin_dn=ADMIN_DN,
                           admin_password=ADMIN_PASSWORD, ldif=base_ldif(),
                           schemas=("core", "cosine"), extra_schema=AD_SCHEMA,
                           limits=LIMITS) as uri:
            yield uri
    except SlapdUnavailable as exc:
        pytest.skip(str(exc))


class Directory:
    """The test's hand on the directory, as a domain administrator's."""

    def __init__(self, uri: str):
        self.uri = uri
        self.conn = ldap.initialize(uri)
        self.conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        self.dns: dict[str, str] = {}
        self.guids: dict[str, bytes] = {}

    def add(self, name: str, *, ou: str = DESKTOPS, system: str = "Windows 11 Enterprise",
            version: str = "10.0 (22631)", disabled: bool = False, guid: bytes | None = None,
            description: str = "") -> str:
        dn = f"cn={name},{ou}"
        guid = guid or uuid.uuid4().bytes_le
        attrs = {"objectClass": [b"computer"], "cn": [name.encode()],
                 "dNSHostName": [f"{name.lower()}.council.test".encode()],
                 "operatingSystem": [system.encode()],
                 "operatingSystemVersion": [version.encode()],
                 "userAccountControl": [str(DISABLED if disabled else ENABLED).encode()],
                 "objectGUID": [guid]}
        if description:
            attrs["description"] = [description.encode()]
        self.conn.add_s(dn, modlist.addModlist(attrs))
        self.dns[name], self.guids[name] = dn, guid
        return str(uuid.UUID(bytes_le=guid))

    def set(self, name: str, **values: str) -> None:
        self.conn.modify_s(self.dns[name], [(ldap.MOD_REPLACE, k, [v.encode()])
                                            for k, v in values.items()])

    def disable(self, name: str, disabled: bool = True) -> None:
        self.set(name, userAccountControl=str(DISABLED if disabled else ENABLED))

    def rename(self, name: str, new: str) -> None:
        self.conn.rename_s(self.dns[name], f"cn={new}")
        self.dns[new] = self.dns.pop(name).replace(f"cn={name},", f"cn={new},", 1)
        self.guids[new] = self.guids.pop(name)
        self.set(new, dNSHostName=f"{new.lower()}.council.test")  # as a rename in AD does

    def delete(self, name: str) -> None:
        self.conn.delete_s(self.dns.pop(name))

    def clear(self) -> None:
        found = self.conn.search_s(COMPUTERS, ldap.SCOPE_SUBTREE, "(objectClass=computer)",
                                   ["cn"])
        for dn, _ in found:
            self.conn.delete_s(dn)
        self.conn.unbind_s()


@pytest.fixture
def ad(slapd_ad):
    hand = Directory(slapd_ad)
    yield hand
    hand.clear()


@pytest.fixture
def source(org_a, slapd_ad, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, READER_PASSWORD)
    cmdb_services.install_default_classes(org_a.pk)
    classes = {c.code: c for c in CIClass.objects.filter(organisation=org_a)}
    return core_services.create_record(DirectorySource(
        organisation_id=org_a.pk, name="Council domain", server_uri=slapd_ad,
        bind_dn=READER_DN, password_env=PASSWORD_ENV, base_dn=COMPUTERS,
        server_class=classes["virtual-server"], device_class=classes["end-user-device"],
        server_os_contains="Server", server_ous=SERVERS, page_size=50,
        site=SiteFactory(organisation=org_a, name="Whitehaven")), actor=None)


def run(source) -> DiscoveryRun:
    requested = services.request_run(source, actor=None, queue=False)
    return services.execute(requested.pk)


def item(name: str) -> ConfigurationItem:
    return ConfigurationItem.objects.get(name=name)


def events(ci) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_object(ci).order_by("id"))


# --- new computers ---------------------------------------------------------------------


def test_new_computers_become_live_items_of_the_mapped_classes(ad, source):
    guid = ad.add("PAYSRV01", system="Windows Server 2022 Standard", version="10.0 (20348)",
                  description="Payroll application server")
    ad.add("BACKUP1", ou=SERVERS, system="Debian GNU/Linux", version="12")
    ad.add("LT-0042", system="Windows 11 Enterprise")

    done = run(source)

    assert done.outcome == RunOutcome.SUCCEEDED, done.error
    assert (done.seen, done.created, done.changed, done.vanished) == (3, 3, 0, 0)
    server, by_ou, laptop = item("PAYSRV01"), item("BACKUP1"), item("LT-0042")
    assert server.ci_class.code == "virtual-server"  # by its operating system
    assert by_ou.ci_class.code == "virtual-server"  # by its OU
    assert laptop.ci_class.code == "end-user-device"
    assert server.status == Status.LIVE and server.site.name == "Whitehaven"
    assert server.reference.startswith("CI-")
    assert server.discovery_key == guid and server.discovery_source == source
    assert server.attributes == {"hostname": "paysrv01.council.test",
                                 "operating_system": "Windows Server 2022 Standard 10.0 (20348)"}
    assert server.description == "Payroll application server"
    assert laptop.attributes["operating_system"] == "Windows 11 Enterprise 10.0 (22631)"
    assert server.discovered_at == server.last_seen_at == done.started_at
    assert server.missing_from_directory_since is None
    created = events(server)
    assert [e.action for e in created] == ["create"]
    assert created[0].note == "Directory discovery from Council domain."


def test_a_disabled_computer_never_seen_before_is_not_taken_in(ad, source):
    ad.add("OLD-PC", disabled=True)
    done = run(source)
    assert (done.seen, done.created, done.skipped) == (1, 0, 1)
    assert not ConfigurationItem.objects.exists()


# --- changes ---------------------------------------------------------------------------


def test_changes_are_written_field_by_field_and_what_people_typed_is_kept(ad, source, admin_a):
    ad.add("PAYSRV01", system="Windows Server 2019 Standard", version="10.0 (17763)",
           description="Payroll")
    ad.add("FILESRV", system="Windows Server 2019 Standard", description="Files")
    ad.add("LT-0042")
    ad.add("LT-0043")
    run(source)
    # A person renames one, describes another, and sets what discovery never owns.
    named = item("FILESRV")
    core_services.update_record(named, actor=admin_a, expected_version=named.version, data={
        "name": "Main file server", "criticality": "high", "description": "Shared drives"})
    # The directory: an in-place upgrade, a rename of each, a new description.
    ad.set("PAYSRV01", operatingSystem="Windows Server 2022 Standard",
           operatingSystemVersion="10.0 (20348)", description="Payroll and pensions")
    ad.rename("FILESRV", "FILESRV2")
    ad.set("FILESRV2", description="Files and printing")
    ad.rename("LT-0042", "LT-0042-HR")

    done = run(source)

    assert done.outcome == RunOutcome.SUCCEEDED, done.error
    assert (done.seen, done.created, done.changed, done.unchanged) == (4, 0, 3, 1)
    payroll = item("PAYSRV01")
    assert payroll.attributes["operating_system"] == "Windows Server 2022 Standard 10.0 (20348)"
    assert payroll.description == "Payroll and pensions"
    change = events(payroll)[-1]
    assert change.action == "update" and change.note == "Directory discovery from Council domain."
    assert {"attributes", "description", "directory_values"} <= set(change.changes)
    files = ConfigurationItem.objects.get(pk=named.pk)
    # The name and description a person typed stay; what the directory owns follows it.
    assert files.name == "Main file server" and files.description == "Shared drives"
    assert files.criticality == "high"
    assert files.attributes["hostname"] == "filesrv2.council.test"
    assert files.directory_values["name"] == "FILESRV2"
    # Nobody changed this one's name: it follows the directory.
    assert ConfigurationItem.objects.filter(name="LT-0042-HR").count() == 1
    assert ConfigurationItem.objects.count() == 4


def test_a_second_run_with_nothing_changed_writes_no_history(ad, source):
    for n in range(3):
        ad.add(f"PC{n}")
    run(source)
    before = AuditEvent.objects.filter(content_type__model="configurationitem").count()
    versions = dict(ConfigurationItem.objects.values_list("pk", "version"))
    done = run(source)
    assert (done.seen, done.created, done.changed, done.unchanged) == (3, 0, 0, 3)
    assert AuditEvent.objects.filter(content_type__model="configurationitem").count() == before
    assert dict(ConfigurationItem.objects.values_list("pk", "version")) == versions
    assert set(ConfigurationItem.objects.values_list("last_seen_at", flat=True)) == {
        done.started_at}


def test_an_item_a_person_made_is_linked_by_its_host_name(ad, source, admin_a):
    physical = CIClass.objects.get(organisation=source.organisation, code="physical-server")
    typed = core_services.create_record(ConfigurationItem(
        organisation_id=source.organisation_id, name="Payroll server", ci_class=physical,
        status=Status.LIVE, attributes={"hostname": "PAYSRV01.council.test"}), actor=admin_a)
    guid = ad.add("PAYSRV01", system="Windows Server 2022 Standard")

    done = run(source)

    assert (done.created, done.changed) == (0, 1)
    typed.refresh_from_db()
    assert typed.discovery_key == guid and typed.discovery_source_id == source.pk
    assert typed.name == "Payroll server" and typed.ci_class == physical
    assert typed.attributes["hostname"] == "paysrv01.council.test"
    assert ConfigurationItem.objects.count() == 1


def test_two_items_with_the_host_name_are_left_for_a_person(ad, source, admin_a):
    for name in ("Payroll server", "Payroll server (old record)"):
        ConfigurationItemFactory(organisation=source.organisation, name=name,
                                 attributes={"hostname": "paysrv01.council.test"})
    ad.add("PAYSRV01", system="Windows Server 2022 Standard")
    done = run(source)
    assert (done.created, done.changed, done.skipped) == (0, 0, 1)
    assert "several items could be this computer" in done.warnings[0]
    assert not ConfigurationItem.objects.exclude(discovery_key="").exists()


# --- vanished, disabled and returned ---------------------------------------------------


def test_vanished_and_disabled_computers_are_flagged_never_deleted_and_unflagged_on_return(
        ad, source, admin_a, signed_in):
    for name in ("KEEP", "GONE", "OFF"):
        ad.add(name)
    run(source)
    gone_guid = ad.guids["GONE"]
    ad.delete("GONE")
    ad.disable("OFF")

    second = run(source)

    assert (second.seen, second.vanished, second.returned) == (2, 2, 0)
    gone, off, kept = item("GONE"), item("OFF"), item("KEEP")
    assert gone.status == off.status == Status.LIVE  # never silently retired
    assert gone.missing_from_directory_since == second.started_at
    assert gone.missing_reason == MissingReason.GONE
    assert off.missing_reason == MissingReason.DISABLED
    assert kept.missing_from_directory_since is None
    assert "missing_from_directory_since" in events(gone)[-1].changes
    # The list filters them, and the item's page says so.
    client = signed_in(admin_a)
    listed = client.get(reverse("cmdb:configurationitem_list"),
                        {"missing_from_directory": "true"})
    assert listed.status_code == 200
    body = listed.content.decode()
    assert "GONE" in body and "OFF" in body and "KEEP" not in body
    page = client.get(reverse("cmdb:configurationitem_detail", args=[gone.pk])).content.decode()
    assert "Missing from the directory since" in page
    assert "No longer in the directory".lower() in page
    api = signed_in(admin_a, api=True).get("/api/cmdb/configuration-items/",
                                           {"missing_from_directory": "true"})
    flagged = {r["name"]: r for r in api.json()["results"]}
    assert sorted(flagged) == ["GONE", "OFF"]
    assert flagged["OFF"]["missing_reason"] == "disabled"
    assert flagged["GONE"]["discovery_source"] == source.pk
    assert flagged["GONE"]["missing_from_directory_since"] is not None

    # A third run with them still away changes nothing more.
    assert run(source).vanished == 0

    # Restored from the recycle bin (same objectGUID) and enabled again.
    ad.add("GONE", guid=gone_guid)
    ad.disable("OFF", False)
    fourth = run(source)
    assert (fourth.returned, fourth.vanished, fourth.created) == (2, 0, 0)
    for name in ("GONE", "OFF"):
        back = item(name)
        assert back.missing_from_directory_since is None and back.missing_reason == ""


def test_retired_items_are_not_flagged_when_their_computer_goes(ad, source):
    ad.add("OLDSRV", system="Windows Server 2012 R2")
    run(source)
    old = item("OLDSRV")
    core_services.update_record(old, actor=None, expected_version=None,
                                data={"status": Status.RETIRED})
    ad.delete("OLDSRV")
    assert run(source).vanished == 0
    assert item("OLDSRV").missing_from_directory_since is None


def test_an_empty_answer_flags_nothing(ad, source, admin_a):
    ad.add("PC1")
    run(source)
    core_services.update_record(source, actor=admin_a, expected_version=None,
                                data={"search_filter": "(cn=NOTHING-MATCHES)"})
    done = run(source)
    assert done.outcome == RunOutcome.FAILED
    assert "gave no computers" in done.error and "nothing was flagged" in done.error
    assert item("PC1").missing_from_directory_since is None


# --- failures change nothing -----------------------------------------------------------


@pytest.mark.parametrize("problem, message", [
    ("password", "refused the account cn=borough-reader,dc=council,dc=test: check the "
                 "account and the password in DISCOVERY_CBC_PASSWORD"),
    ("server", "Could not reach the directory"),
    ("unset", "The environment variable DISCOVERY_CBC_PASSWORD (the directory password) "
              "is not set"),
    ("base", "The search base ou=nowhere,dc=council,dc=test is not in the directory"),
])
def test_a_failed_run_records_why_and_writes_nothing(ad, source, monkeypatch, problem,
                                                     message):
    ad.add("PC1")
    if problem == "password":
        monkeypatch.setenv(PASSWORD_ENV, "wrong")
    elif problem == "unset":
        monkeypatch.delenv(PASSWORD_ENV)
    elif problem == "server":
        DirectorySource.objects.filter(pk=source.pk).update(
            server_uri=f"ldap://127.0.0.1:{free_port()}/")
    else:
        DirectorySource.objects.filter(pk=source.pk).update(base_dn="ou=nowhere," + BASE)
    source.refresh_from_db()
    items_before = AuditEvent.objects.filter(content_type__model="configurationitem").count()

    done = run(source)

    assert done.outcome == RunOutcome.FAILED
    assert message in done.error
    assert done.finished_at is not None and done.seen == 0
    assert not ConfigurationItem.objects.exists()
    assert AuditEvent.objects.filter(content_type__model="configurationitem").count() == \
        items_before


# --- paging ----------------------------------------------------------------------------


def test_more_computers_than_a_page_are_read_in_pages(ad, source):
    for n in range(120):
        ad.add(f"PC{n:03d}")
    reader = ldap.initialize(ad.uri)
    reader.simple_bind_s(READER_DN, READER_PASSWORD)
    with pytest.raises(ldap.SIZELIMIT_EXCEEDED):  # unpaged, the server stops at 50
        reader.search_s(COMPUTERS, ldap.SCOPE_SUBTREE, "(objectClass=computer)", ["cn"])
    DirectorySource.objects.filter(pk=source.pk).update(page_size=25)
    source.refresh_from_db()

    done = run(source)

    assert done.outcome == RunOutcome.SUCCEEDED, done.error
    assert (done.seen, done.created, done.pages) == (120, 120, 5)
    assert ConfigurationItem.objects.count() == 120
    # A page bigger than the server allows is refused with what to do.
    DirectorySource.objects.filter(pk=source.pk).update(page_size=500)
    source.refresh_from_db()
    refused = run(source)
    assert refused.outcome == RunOutcome.FAILED
    assert "lower the source's page size" in refused.error


# --- organisations ----------------------------------------------------------------------


def test_a_run_never_touches_another_organisations_items(ad, source, org_b, admin_b,
                                                        signed_in):
    cmdb_services.install_default_classes(org_b.pk)
    theirs = ConfigurationItemFactory(organisation=org_b, name="PAYSRV01",
                                      attributes={"hostname": "paysrv01.council.test"})
    ad.add("PAYSRV01", system="Windows Server 2022 Standard")
    ad.add("LT-1")
    first = run(source)
    ad.delete("LT-1")
    run(source)

    assert first.created == 2
    theirs.refresh_from_db()
    assert theirs.discovery_key == "" and theirs.version == 1
    assert not AuditEvent.objects.for_object(theirs).filter(
        note__startswith="Directory discovery").exists()
    assert ConfigurationItem.objects.filter(organisation=source.organisation).count() == 2
    # Another council's administrator sees none of it, on the pages or the API.
    client, api = signed_in(admin_b), signed_in(admin_b, api=True)
    for url in (reverse("cmdb:directorysource_detail", args=[source.pk]),
                reverse("cmdb:discoveryrun_detail", args=[first.pk]),
                f"/api/cmdb/directory-sources/{source.pk}/",
                f"/api/cmdb/discovery-runs/{first.pk}/"):
        assert (api if url.startswith("/api/") else client).get(url).status_code == 404
    assert api.get("/api/cmdb/discovery-runs/").json()["count"] == 0
    assert client.post(reverse("cmdb:directorysource_run", args=[source.pk])).status_code == 404
    assert api.post(f"/api/cmdb/directory-sources/{source.pk}/run/").status_code == 404
    assert DiscoveryRun.objects.count() == 2


def test_the_sign_in_directory_serves_only_its_own_organisation(ad, source, settings):
    ad.add("PC1")
    DirectorySource.objects.filter(pk=source.pk).update(server_uri="", bind_dn="",
                                                        password_env="")
    source.refresh_from_db()
    settings.AUTH_LDAP_SERVER_URI = ad.uri
    settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD = READER_DN, READER_PASSWORD
    settings.LDAP_ORGANISATION = "edc"
    refused = run(source)
    assert refused.outcome == RunOutcome.FAILED
    assert "belongs to another organisation" in refused.error
    settings.LDAP_ORGANISATION = source.organisation.code
    assert run(source).created == 1


# --- Run now: who may, and how -------------------------------------------------------------


def test_administrators_run_it_from_its_page_with_a_post(ad, source, admin_a, signed_in,
                                                         django_capture_on_commit_callbacks):
    ad.add("PC1")
    client = signed_in(admin_a)
    page = client.get(reverse("cmdb:directorysource_detail", args=[source.pk]))
    assert page.status_code == 200 and "Run now" in page.content.decode()
    url = reverse("cmdb:directorysource_run", args=[source.pk])
    assert client.get(url).status_code == 405  # never a GET

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    done = DiscoveryRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cmdb:discoveryrun_detail", args=[done.pk])
    assert done.outcome == RunOutcome.SUCCEEDED and done.requested_by == admin_a
    assert done.created == 1
    shown = client.get(response["Location"]).content.decode()
    assert "Computers read" in shown and "Succeeded" in shown
    runs = client.get(reverse("cmdb:discoveryrun_list")).content.decode()
    assert "Council domain" in runs


def test_run_now_needs_a_csrf_token(ad, source, admin_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    response = client.post(reverse("cmdb:directorysource_run", args=[source.pk]))
    assert response.status_code == 403
    assert not DiscoveryRun.objects.exists()


@pytest.mark.parametrize("role", [roles.ICT_MANAGER, roles.AGENT, roles.AUDITOR])
def test_other_roles_see_runs_but_cannot_start_one(ad, source, signed_in, role):
    user = make_member(source.organisation, role)
    client, api = signed_in(user), signed_in(user, api=True)
    page = client.get(reverse("cmdb:directorysource_detail", args=[source.pk]))
    assert page.status_code == 200 and "Run now" not in page.content.decode()
    assert client.post(reverse("cmdb:directorysource_run", args=[source.pk])).status_code == 403
    assert api.post(f"/api/cmdb/directory-sources/{source.pk}/run/").status_code == 403
    with pytest.raises(core_services.PermissionDenied):
        services.request_run(source, actor=user)
    assert not DiscoveryRun.objects.exists()
    assert api.get("/api/cmdb/discovery-runs/").status_code == 200


def test_requester_sees_no_sources_or_runs(source, signed_in):
    user = make_member(source.organisation, roles.REQUESTER)
    client, api = signed_in(user), signed_in(user, api=True)
    assert client.get(reverse("cmdb:discoveryrun_list")).status_code == 403
    assert api.get("/api/cmdb/discovery-runs/").status_code == 403
    assert api.get(f"/api/cmdb/directory-sources/{source.pk}/").status_code in (403, 404)


def test_the_api_runs_it_and_lists_the_runs(ad, source, admin_a, signed_in,
                                            django_capture_on_commit_callbacks):
    ad.add("PC1")
    api = signed_in(admin_a, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/cmdb/directory-sources/{source.pk}/run/")
    assert response.status_code == 202
    assert response.json()["outcome"] == RunOutcome.QUEUED  # as answered, before the worker
    listed = api.get("/api/cmdb/discovery-runs/", {"source": source.pk}).json()
    assert listed["count"] == 1
    assert listed["results"][0]["outcome"] == RunOutcome.SUCCEEDED
    assert listed["results"][0]["created"] == 1
    detail = api.get(f"/api/cmdb/discovery-runs/{listed['results'][0]['id']}/")
    assert detail.status_code == 200 and detail.json()["seen"] == 1
    assert api.post("/api/cmdb/discovery-runs/", {}).status_code in (403, 405)


def test_one_run_at_a_time_and_not_when_disabled(source, admin_a):
    services.request_run(source, actor=admin_a, queue=False)
    with pytest.raises(ValidationError, match="already being read"):
        services.request_run(source, actor=admin_a, queue=False)
    DirectorySource.objects.filter(pk=source.pk).update(is_enabled=False)
    with pytest.raises(ValidationError, match="not enabled"):
        services.request_run(source, actor=admin_a, queue=False)


def test_a_task_delivered_twice_runs_once(ad, source):
    ad.add("PC1")
    requested = services.request_run(source, actor=None, queue=False)
    first = services.execute(requested.pk)
    again = services.execute(requested.pk)
    assert first.pk == again.pk and again.created == 1
    assert ConfigurationItem.objects.count() == 1


# --- the periodic job --------------------------------------------------------------------


def test_the_periodic_job_runs_each_due_source_once(ad, source, time_machine):
    job, interval = registry.periodic_jobs["cmdb-directory-discovery"]
    assert job is services.run_due_sources and interval <= 3600
    ad.add("PC1")
    assert "succeeded" in job()
    assert job() == "no source was due"
    time_machine.move_to(source.created_at + __import__("datetime").timedelta(hours=25))
    job()
    assert DiscoveryRun.objects.filter(trigger="schedule").count() == 2
    DirectorySource.objects.filter(pk=source.pk).update(run_every_hours=0)
    time_machine.move_to(source.created_at + __import__("datetime").timedelta(hours=50))
    assert job() == "no source was due"


# --- settings: checked on the API and the pages alike ---------------------------------------


def test_a_source_refuses_settings_that_could_leak_or_cannot_work(source, admin_a, signed_in):
    api = signed_in(admin_a, api=True)
    good = api.get(f"/api/cmdb/directory-sources/{source.pk}/").json()
    body = {k: good[k] for k in ("name", "server_class", "device_class", "base_dn")} | {
        "name": "Another", "server_uri": "http://dc1", "password_env": "SECRET_KEY",
        "bind_dn": "cn=x", "search_filter": "objectClass=computer",
        "attribute_map": {"colour": "x", "key": "bad name!"}}
    too_big = api.post("/api/cmdb/directory-sources/", body | {"page_size": 5000},
                       format="json")
    assert too_big.status_code == 400 and "page_size" in too_big.json()
    response = api.post("/api/cmdb/directory-sources/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "ldap://host" in errors["server_uri"][0]
    assert "must start with DISCOVERY_CBC_" in errors["password_env"][0]
    assert "in brackets" in errors["search_filter"][0]
    assert any("colour" in e for e in errors["attribute_map"])
    assert not DirectorySource.objects.filter(name="Another").exists()
    page = signed_in(admin_a).post(reverse("cmdb:directorysource_add"), {
        "name": "Another", "server_uri": "", "bind_dn": "cn=x", "base_dn": "not a dn",
        "search_filter": "(objectClass=computer)", "server_class": good["server_class"],
        "device_class": good["device_class"], "run_every_hours": 24, "page_size": 500,
        "attribute_map": "{}"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "the directory sign-in uses comes with its own account" in text
    assert "is not a distinguished name" in text


# --- reading entries, without a server ------------------------------------------------------


def test_entries_are_read_as_active_directory_writes_them():
    names = DirectorySource(attribute_map={}).attribute_names()
    guid = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")
    entry = {"CN": [b"PAYSRV01"], "objectGUID": [guid.bytes_le],
             "dnshostname": [b"paysrv01.council.local"],
             "operatingSystem": [b"Windows Server 2022 Standard"],
             "operatingSystemVersion": [b"10.0 (20348)"], "userAccountControl": [b"4130"]}
    found = directory.computer_from_entry("CN=PAYSRV01,OU=Servers,DC=council,DC=local", entry,
                                          names)
    assert found == Computer(key=str(guid), dn="CN=PAYSRV01,OU=Servers,DC=council,DC=local",
                             name="PAYSRV01", hostname="paysrv01.council.local",
                             operating_system="Windows Server 2022 Standard 10.0 (20348)",
                             description="", disabled=True)
    assert "has no objectGUID" in directory.computer_from_entry("CN=X,DC=a", {"cn": [b"X"]},
                                                                names)
    by_dn = directory.computer_from_entry("CN=X, DC=a", {}, {**names, "key": "dn"})
    assert by_dn.key == "dn:cn=x,dc=a" and by_dn.name == "X"
    assert directory.is_under("CN=X,OU=Servers,DC=a", "ou=servers, dc=a")
    assert not directory.is_under("CN=X,OU=NotServers,DC=a", "ou=servers,dc=a")


def test_password_variables_are_read_from_the_environment_only(source):
    assert not hasattr(source, "password")
    connection = services.connection_for(source)
    assert connection.password == os.environ[PASSWORD_ENV]
    assert connection.password_from == PASSWORD_ENV


def test_new_items_take_one_block_of_references_that_later_items_follow(ad, source, admin_a):
    for n in range(3):
        ad.add(f"PC{n}")
    run(source)
    assert sorted(ConfigurationItem.objects.values_list("reference", flat=True)) == [
        "CI-000001", "CI-000002", "CI-000003"]
    physical = CIClass.objects.get(organisation=source.organisation, code="physical-server")
    later = core_services.create_record(ConfigurationItem(
        organisation_id=source.organisation_id, name="Typed in", ci_class=physical,
        attributes={"hostname": "typed"}), actor=admin_a)
    assert later.reference == "CI-000004"


def test_an_unexpected_fault_fails_the_run_rather_than_leaving_it_running(ad, source,
                                                                          monkeypatch):
    from borough.cmdb.discovery import reconcile

    ad.add("PC1")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reconcile, "reconcile", broken)
    requested = services.request_run(source, actor=None, queue=False)
    with pytest.raises(RuntimeError):
        services.execute(requested.pk)
    requested.refresh_from_db()
    assert requested.outcome == RunOutcome.FAILED and "unexpected error" in requested.error
