"""What the standards app adds to the core registry: its models, role grants,
periodic jobs and evidence rules. Each part (framework, assessments, actions,
report) registers its own pages and API in its `entries.py`."""

from __future__ import annotations

from importlib import import_module

PARTS = ("framework", "assessments", "actions", "report")


def register() -> None:
    from borough.accounts import roles
    from borough.core.registry import grant_model_permissions, registry
    from borough.standards import models as m

    for part in PARTS:
        try:
            module = import_module(f"borough.standards.{part}.entries")
        except ModuleNotFoundError as exc:
            if exc.name != f"borough.standards.{part}.entries":
                raise
            continue
        module.register(registry)

    definitions = [m.Framework, m.Theme, m.Standard, m.Criterion]
    records = [m.AssessmentCycle, m.StandardAssessment, m.CriterionResult, m.Evidence,
               m.ReportReview, m.CorporateObjective, m.Target, m.Action, m.ActionUpdate]
    for role in roles.READ_ALL_ROLES:
        grant_model_permissions(role, definitions + records, ("view",))
    # Managers run the assessment and own the plan; the Auditor only reads.
    for role in (roles.ICT_MANAGER, roles.ADMINISTRATOR):
        grant_model_permissions(role, records, ("add", "change", "delete"))
        registry.grant(role, ["standards.approve_assessmentcycle"])
    # Anyone on the staff may report progress on an action they own (the service checks ownership).
    for role in (roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.CAB_MEMBER,
                 roles.SECURITY_OFFICER, roles.SERVICE_UNIT_HEAD):
        grant_model_permissions(role, [m.ActionUpdate], ("add",))
