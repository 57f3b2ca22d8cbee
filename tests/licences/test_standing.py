"""The compliance page's figures worked out by the database (licences.standing) are the
positions' (licences.queries, the definition): the same position, true-up cost and saving
to the penny for every licence model and way of counting, the same order, the same page
and chart, the same totals; and the page itself lists what the positions say."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from borough.core import roles
from borough.licences import models as m
from borough.licences import queries, standing
from tests.cmdb.factories import RelationshipFactory
from tests.licences.factories import (
    ApplicationFactory,
    ConsumptionCountFactory,
    EntitlementFactory,
    LicenceFactory,
)
from tests.licences.test_positions import item

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
KINDS = [(m.LicenceModel.NAMED_USER, m.CountedFrom.USERS),
         (m.LicenceModel.NAMED_USER, m.CountedFrom.ENTERED),
         (m.LicenceModel.DEVICE, m.CountedFrom.DEVICES),
         (m.LicenceModel.DEVICE, m.CountedFrom.INSTALLATIONS),
         (m.LicenceModel.CONCURRENT, m.CountedFrom.ENTERED),
         (m.LicenceModel.SITE, m.CountedFrom.USERS),
         (m.LicenceModel.SITE, m.CountedFrom.ENTERED),
         (m.LicenceModel.CORE, m.CountedFrom.CORES),
         (m.LicenceModel.SUBSCRIPTION, m.CountedFrom.INSTALLATIONS)]


@pytest.fixture
def licences(org_a, org_b):
    """Licences of every kind with awkward figures: users recorded as text or true, a
    server with no cores, counts after the day, entitlements out of force, none at all,
    prices of a third of a penny, names that sort differently by case and accent."""
    rng = random.Random(5)
    build = item(org_a, "standard-build", "Desktop 2026.1")
    devices = [item(org_a, "end-user-device", f"PC-{n}") for n in range(6)]
    retired = item(org_a, "end-user-device", "PC-old")
    retired.status = "retired"
    retired.save()
    for n, device in enumerate([*devices, retired]):
        if n % 2 == 0:
            RelationshipFactory(organisation=org_a, source=device, target=build,
                                relationship_type="uses")
    users = [40, 3, 0, "many", True, None, 7]
    names = ["alpha", "Alpha", "Émile", "beta", "Zed", "zed", "1st", "Ω"]
    made = []
    for n in range(36):
        model, counted = KINDS[n % len(KINDS)]
        recorded = users[n % len(users)]
        app = ApplicationFactory(organisation=org_a, attributes=(
            {} if recorded is None else {"number_of_users": recorded}))
        licence = LicenceFactory(
            organisation=org_a, software=app, licence_model=model, counted_from=counted,
            standard_build=build if counted == m.CountedFrom.DEVICES and n % 2 else None,
            name=f"{names[n % len(names)]} {n % 5}")
        if counted == m.CountedFrom.INSTALLATIONS:
            for device in rng.sample(devices, rng.randint(0, 4)):
                RelationshipFactory(organisation=org_a, source=device, target=app,
                                    relationship_type="uses")
        if counted == m.CountedFrom.CORES:
            for s in range(n % 3):
                cores = {} if n % 4 == 3 and s == 0 else {"cpu_cores": rng.choice([2, 4, 8])}
                RelationshipFactory(organisation=org_a, source=app, relationship_type="runs_on",
                                    target=item(org_a, "virtual-server", f"VS{n}-{s}",
                                                **cores))
        if counted == m.CountedFrom.ENTERED:
            for back in (rng.randint(10, 90), -5):  # the second is after the day
                ConsumptionCountFactory(organisation=org_a, licence=licence,
                                        count=rng.randint(0, 12),
                                        counted_on=DAY - datetime.timedelta(days=back))
        for _ in range(n % 4):
            start = DAY - datetime.timedelta(days=rng.choice([30, 200, 500, 900]))
            EntitlementFactory(organisation=org_a, licence=licence,
                               quantity=rng.choice([1, 3, 7, 9]),
                               cost=Decimal(rng.choice(["100.00", "0.05", "1000.01", "7.77"])),
                               term_start=start,
                               term_end=None if rng.random() < 0.2
                               else start + datetime.timedelta(days=364))
        made.append(licence)
    LicenceFactory(organisation=org_b, name="Eskmouth's own")  # never listed
    return made


def test_the_database_gives_the_positions_figures_order_page_and_totals(org_a, licences,
                                                                       admin_a):
    scoped = queries.licences_for(admin_a)
    for status in (None, *standing.ORDER):
        expected = queries.compliance(scoped, status=status, day=DAY)
        order = [p.licence.pk for p in expected.positions]
        charted = [p.licence.pk for p in expected.positions
                   if (p.true_up_cost or Decimal(0)) > 0 or p.saving > 0][:4]
        for offset in (0, 7, 35):
            found = standing.standings(scoped, org_a.pk, day=DAY, status=status,
                                       offset=offset, limit=7, chart=4)
            assert found.page_ids == order[offset:offset + 7], (status, offset)
            assert found.chart_ids == charted
            assert found.counts == expected.counts()
            assert found.total == len(order)
            assert (found.risk, found.unpriced, found.savings) == (
                expected.risk, expected.unpriced, expected.savings), status
    statuses = {p.status for p in queries.compliance(scoped, day=DAY).positions}
    assert statuses == set(standing.ORDER)  # every position is exercised


def test_the_page_lists_the_positions_in_order_on_every_page(signed_in, member, licences):
    manager = member(roles.ICT_MANAGER)
    client = signed_in(manager)
    expected = queries.compliance(queries.licences_for(manager))
    names = [p.licence.name for p in expected.positions]
    from borough.licences import views

    views.PER_PAGE, per_page = 10, views.PER_PAGE
    try:
        listed = []
        for page in range(1, 5):
            response = client.get(f"/commercial/licence-compliance/?page={page}")
            assert response.status_code == 200
            listed += [p.licence.name for p in response.context["page_obj"]]
        assert listed == names
        last = client.get("/commercial/licence-compliance/?page=99")
        assert [p.licence.name for p in last.context["page_obj"]] == names[30:]
        assert client.get("/commercial/licence-compliance/?page=x").status_code == 200
    finally:
        views.PER_PAGE = per_page
    response = client.get("/commercial/licence-compliance/?status=over")
    assert response.context["counts"] == queries.compliance(
        queries.licences_for(manager), status="over").counts()
