"""`borough check`: every app has the one shape, and each check catches what it names."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from borough.core import checks
from borough.core.registry import registry
from borough.servicedesk.models import Satisfaction, Ticket


def ids(problems) -> list[str]:
    return [p.id for p in problems]


def test_the_project_keeps_every_app_in_shape():
    # Warnings too: the boundaries and factories are warnings so a deployment still runs.
    call_command("check", fail_level="WARNING")


def test_a_model_neither_registered_nor_unlisted_is_named(monkeypatch):
    monkeypatch.delitem(registry.unlisted, Satisfaction)
    problems = checks.every_model_is_declared()
    assert ids(problems) == ["borough.E003"]
    assert "servicedesk.Satisfaction" in problems[0].msg
    with pytest.raises(SystemCheckError, match="servicedesk.Satisfaction"):
        call_command("check")


def test_a_grant_of_a_permission_no_model_has_is_named(monkeypatch):
    monkeypatch.setitem(registry.role_grants, "Auditor",
                        registry.role_grants["Auditor"] | {"servicedesk.fly_ticket"})
    problems = checks.grants_name_real_permissions()
    assert ids(problems) == ["borough.E004"]
    assert "servicedesk.fly_ticket" in problems[0].msg


def test_a_registered_model_without_a_factory_is_named(monkeypatch):
    from tests import factories

    monkeypatch.delitem(factories.FACTORIES, Ticket)
    problems = checks.registered_models_have_factories()
    assert ids(problems) == ["borough.W005"] and "servicedesk.Ticket" in problems[0].msg


def test_a_registered_model_without_its_parts_is_named(monkeypatch):
    from dataclasses import replace

    entry = registry.get(Ticket)
    monkeypatch.setitem(registry.entries, Ticket, replace(entry, table=None))
    assert ids(checks.registry_is_complete()) == ["borough.E001"]


def test_record_actions_missing_from_the_api_are_named(monkeypatch):
    entry = registry.get(Ticket)
    monkeypatch.setattr(entry.viewset, "record_actions", None)
    problems = checks.record_actions_are_on_the_api()
    assert ids(problems) == ["borough.E007"] and "servicedesk.Ticket" in problems[0].msg


@pytest.mark.parametrize(("app", "target", "problem"), [
    ("mail", "borough.servicedesk.models.Ticket", "imports servicedesk, which it sits below"),
    ("organisation", "borough.accounts.models.User", "imports accounts, which it sits below"),
    ("standards", "borough.servicedesk.evidence.checked", "reaches into servicedesk's internals"),
    ("standards", "borough.servicedesk.views.workspace", "reaches into servicedesk's internals"),
    ("core", "borough.organisation.models.Organisation", "imports organisation, which it sits"),
    ("servicedesk", "borough.servicedesk.forms.RateForm", None),  # its own
    ("servicedesk", "borough.organisation.queries.calendar_for", None),
    ("servicedesk", "borough.organisation.services.add_person", None),
    ("standards", "borough.servicedesk.models.Ticket", None),
    ("standards", "borough.core.evidence.whole", None),
])
def test_the_boundary_rule(app, target, problem):
    found = checks._crossing(app, target)
    assert (found is None) if problem is None else found.startswith(problem)
