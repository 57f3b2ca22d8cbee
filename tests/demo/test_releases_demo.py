"""The release management demo: written through the services (after the CMDB, catalogue,
licences and changes demos), so it must satisfy their rules."""

import pytest

from borough.demo import catalogue, cmdb, licences, organisations
from borough.demo import changes as changes_demo
from borough.demo import releases as demo
from borough.releases import models as m
from borough.releases.evidence import RULES


@pytest.mark.django_db
def test_copeland_gets_the_financial_system_replacement_release_and_the_hotfix():
    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    licences.load()
    changes_demo.load()
    assert demo.load() == {"cbc": 2}
    assert demo.load() == {"cbc": 0}, "safe to run again"

    replacement = m.Release.objects.get(title__startswith="Financial system replacement")
    assert (replacement.status, replacement.release_type) == (m.Status.TESTING,
                                                              m.ReleaseType.MAJOR)
    cutover = replacement.changes.get()
    assert cutover.title == "Cut Financials over to Unit4 ERPx"
    assert cutover.authorised_at is None  # the board has still to decide: no go yet
    item = replacement.items.get()
    assert item.software.name == "Financials" and item.to_version == "ERPx 2026.2"
    assert item.licence is not None and item.licence.software_id == item.software_id

    hotfix = m.Release.objects.get(title="Firewall VPN hotfix")
    assert hotfix.status == m.Status.CLOSED and hotfix.tested_first and hotfix.review
    emergencies = next(r for r in RULES if r.name == "releases.tested")
    assert emergencies.run(hotfix.organisation, {"types": ["emergency"]},
                           hotfix.closed_at).met
