"""The licences demo: Copeland's systems with one licence over-used and one under-used,
written through the services, and safe to run again."""

from decimal import Decimal

import pytest

from borough.demo import cmdb, organisations
from borough.demo import licences as demo
from borough.licences import models as m
from borough.licences import queries
from borough.licences.queries import Status

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_over_used_and_one_under_used_licence():
    organisations.load("demo-password-1")
    cmdb.load()
    assert demo.load() == {"cbc": len(demo.LICENCES)}
    licences = m.Licence.objects.filter(organisation__code="cbc").select_related(
        "software__ci_class", "standard_build")
    by_status = {}
    for position in queries.positions(licences):
        by_status.setdefault(position.status, []).append(position)
    assert [p.licence.name for p in by_status[Status.OVER]] == ["Financials named users"]
    assert by_status[Status.OVER][0].true_up_cost == Decimal("600.00")
    assert [p.licence.name for p in by_status[Status.UNDER]] == ["GIS desktop seats"]
    assert by_status[Status.UNDER][0].saving == Decimal("2500.00")
    assert Status.UNKNOWN not in by_status
    assert demo.load() == {"cbc": 0}
