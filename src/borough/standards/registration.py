"""What the standards app adds to the core registry: its models, role grants,
periodic jobs and evidence rules. The framework, assessments and actions parts
register their own pages and API in their `entries.py`."""

from __future__ import annotations


def register() -> None:
    from borough.accounts import roles
    from borough.core.registry import grant_model_permissions, registry
    from borough.standards import models as m
    from borough.standards.actions import entries as actions
    from borough.standards.assessments import entries as assessments
    from borough.standards.framework import entries as framework

    for part in (framework, assessments, actions):
        part.register(registry)

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
