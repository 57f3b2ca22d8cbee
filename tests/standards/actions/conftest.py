from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borough.core import roles
from tests.conftest import make_member
from tests.factories import (
    CorporateObjectiveFactory,
    PersonFactory,
    StandardFactory,
    TargetFactory,
    ThemeFactory,
)

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    """Every action plan test runs on Monday 23 November 2026 at noon, UK time."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(org_a, org_b):
    """One council's action plan: a framework with two themes, the people who work on it,
    and the registers actions link to; another council alongside."""
    first = ThemeFactory(name="Service delivery", order=1, framework__name="ICT standards")
    second = ThemeFactory(name="Business engagement", order=2, framework=first.framework)
    standards = [StandardFactory(theme=first, name="Service level management"),
                 StandardFactory(theme=second, name="Customer engagement")]
    users = {
        "manager": make_member(org_a, roles.ICT_MANAGER, "manager"),
        "admin": make_member(org_a, roles.ADMINISTRATOR, "admin"),
        "owner": make_member(org_a, roles.AGENT, "owner"),
        "agent": make_member(org_a, roles.AGENT, "agent"),
        "auditor": make_member(org_a, roles.AUDITOR, "auditor"),
        "requester": make_member(org_a, roles.REQUESTER, "requester"),
        "manager_b": make_member(org_b, roles.ICT_MANAGER, "manager-b"),
    }
    for name, user in users.items():
        user.active_organisation_id = org_b.pk if name.endswith("_b") else org_a.pk
    owner = PersonFactory(organisation=org_a, user=users["owner"], full_name="Olive Owner")
    other = PersonFactory(organisation=org_a, user=users["agent"], full_name="Aled Agent")
    return SimpleNamespace(
        org=org_a, org_b=org_b, framework=first.framework, themes=[first, second],
        standards=standards, owner_person=owner, other_person=other,
        objective=CorporateObjectiveFactory(organisation=org_a, code="CP1",
                                            title="Modern, efficient services"),
        target=TargetFactory(organisation=org_a, code="BVPI157", title="E-government"),
        objective_b=CorporateObjectiveFactory(organisation=org_b, code="EDC1"),
        person_b=PersonFactory(organisation=org_b, full_name="Bryn Other"),
        **users)


@pytest.fixture
def new_action(world):
    """new_action(**data) -> an action created through the service by the ICT manager."""
    from borough.standards.actions import services

    def make(**data):
        values = {"title": "Agree SLAs with every service unit", "owner": world.owner_person,
                  "due_on": date(2027, 3, 31), "theme": world.themes[0],
                  "standards": [world.standards[0]], "objectives": [world.objective],
                  "targets": [world.target]} | data
        return services.create_action(world.org.pk, actor=world.manager, **values)

    return make
