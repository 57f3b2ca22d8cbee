"""An administrator runs discovery from the directory with the keyboard, reads the run,
and finds the computer that has gone from the directory flagged on its page — at 1280
and 390 pixels, with axe-core on every page. Against a real slapd (tests/slapd.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.ldap]

ldap = pytest.importorskip("ldap", reason="python-ldap is not installed (the ldap extra)",
                           exc_type=ImportError)

from ldap import modlist  # noqa: E402

from borough.cmdb import services as cmdb_services  # noqa: E402
from borough.cmdb.models import CIClass, DirectorySource  # noqa: E402
from borough.core import roles  # noqa: E402
from borough.core import services as core_services  # noqa: E402
from tests.browser.signing_in import sign_in  # noqa: E402
from tests.cmdb.test_discovery import (  # noqa: E402
    ADMIN_DN,
    ADMIN_PASSWORD,
    COMPUTERS,
    DESKTOPS,
    LIMITS,
    PASSWORD_ENV,
    READER_DN,
    READER_PASSWORD,
    SERVERS,
    base_ldif,
)
from tests.conftest import make_member  # noqa: E402
from tests.slapd import AD_SCHEMA, SlapdUnavailable, running_slapd  # noqa: E402

MACHINES = {"PAYSRV01": (SERVERS, b"Windows Server 2022 Standard"),
            "LT-0042": (DESKTOPS, b"Windows 11 Enterprise"),
            "LT-0043": (DESKTOPS, b"Windows 11 Enterprise")}


@pytest.fixture(scope="module")
def slapd_uri(tmp_path_factory):
    try:
        with running_slapd(tmp_path_factory.mktemp("slapd-journey"), suffix="dc=council,dc=test",
                           admin_dn=ADMIN_DN, admin_password=ADMIN_PASSWORD, ldif=base_ldif(),
                           schemas=("core", "cosine"), extra_schema=AD_SCHEMA,
                           limits=LIMITS) as uri:
            yield uri
    except SlapdUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def directory(slapd_uri):
    import uuid

    conn = ldap.initialize(slapd_uri)
    conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
    for name, (ou, system) in MACHINES.items():
        conn.add_s(f"cn={name},{ou}", modlist.addModlist({
            "objectClass": [b"computer"], "cn": [name.encode()],
            "dNSHostName": [f"{name.lower()}.council.test".encode()],
            "operatingSystem": [system], "userAccountControl": [b"4096"],
            "objectGUID": [uuid.uuid4().bytes_le]}))
    yield conn
    for dn, _ in conn.search_s(COMPUTERS, ldap.SCOPE_SUBTREE, "(objectClass=computer)", ["cn"]):
        conn.delete_s(dn)
    conn.unbind_s()


@pytest.mark.parametrize("width", [1280, 390])
def test_run_discovery_and_find_what_has_gone(page, axe, org_a, directory, slapd_uri,
                                              monkeypatch, width):
    monkeypatch.setenv(PASSWORD_ENV, READER_PASSWORD)
    cmdb_services.install_default_classes(org_a.pk)
    classes = {c.code: c for c in CIClass.objects.filter(organisation=org_a)}
    source = core_services.create_record(DirectorySource(
        organisation_id=org_a.pk, name="Council domain", server_uri=slapd_uri,
        bind_dn=READER_DN, password_env=PASSWORD_ENV, base_dn=COMPUTERS, page_size=50,
        server_class=classes["virtual-server"], device_class=classes["end-user-device"]),
        actor=None)
    admin = make_member(org_a, roles.ADMINISTRATOR)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, admin.username)

    def run_now():
        page.goto(f"/configuration/directory-sources/{source.pk}/")
        button = page.get_by_role("button", name="Run now")
        button.focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="What it did").wait_for()

    page.goto("/configuration/directory-sources/")
    axe(page, "the directory sources")
    page.get_by_role("link", name="Council domain").click()
    page.get_by_role("heading", name="Run discovery").wait_for()
    axe(page, "a directory source")
    run_now()
    expect(page.get_by_text("Succeeded").first).to_be_visible()
    axe(page, "the run's page")

    directory.delete_s(f"cn=LT-0043,{DESKTOPS}")
    run_now()
    page.get_by_role("link", name="1", exact=True).click()  # gone from the directory
    row = page.get_by_role("row").filter(has_text="LT-0043")
    row.wait_for()
    assert page.get_by_text("LT-0042").count() == 0
    axe(page, "the items missing from the directory")
    row.get_by_role("link").first.click()
    page.get_by_text("Missing from the directory since").wait_for()
    axe(page, "a flagged item")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto("/configuration/discovery-runs/")
    axe(page, "the discovery runs")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
