"""Demo standards data: the shipped ICT framework, Copeland's corporate plan objectives
and targets, an approved 2025/26 review, a 2026/27 review in progress and the action
plan drawn from the strategy's action plans (seeds, Appendix B). Written through the
services, as the people who would do it, so history and evidence are real; run once."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from borough.accounts.models import User
from borough.core import services as core_services
from borough.organisation.models import Organisation, Person
from borough.standards import models as st
from borough.standards.actions import services as plan
from borough.standards.assessments import services as assess
from borough.standards.framework import services as frameworks

FRAMEWORK_CODE = "nesds-ict"

OBJECTIVES = [
    ("CP1", "Customer focused services: make council services available online, first time"),
    ("CP2", "Efficient and effective council: value for money and modern ways of working"),
    ("CP3", "A skilled and confident workforce"),
    ("CP4", "Good governance: sound decisions, managed risks and protected information"),
    ("CP5", "Working in partnership across Cumbria"),
]
TARGETS = [
    ("BVPI 157", "Share of interactions with the public that can be done electronically",
     st.TargetScope.NATIONAL),
    ("IEG", "Implementing Electronic Government statement and its priority outcomes",
     st.TargetScope.NATIONAL),
    ("G18", "Priority outcome G18: an e-skills training programme for staff and members",
     st.TargetScope.NATIONAL),
    ("PSO", "Priority Service Outcomes for e-enabled local services", st.TargetScope.NATIONAL),
    ("L-SD1", "Nine in ten P1 and P2 helpdesk calls resolved within their SLA", st.TargetScope.LOCAL),
]

# Standard code -> (level in 2025/26, level in 2026/27 so far, target).
LEVELS = {
    "staff-ict-skills": (0, 0, 1),  # "Copeland Council does not meet the Minimum NeSDS measure"
    "ict-staff-development": (0, 1, 2),
    "ict-architecture": (1, 1, 2),
    "configuration-development-integration": (0, 1, 2),
    "information-management": (0, 0, 1),
    "information-security": (1, 1, 2),
    "performance-management": (1, 1, 2),
    "strategic-sourcing": (1, 1, 2),
    "supplier-management": (1, 1, 2),
    "programme-project-management": (0, 1, 2),
    "service-level-management": (1, 2, 2),
    "ict-financial-management": (1, 1, 2),
    "capacity-availability-continuity": (1, 1, 2),
    "service-desk-incident": (1, 2, 3),
    "problem-management": (0, 1, 2),
    "configuration-change-release": (0, 1, 2),
    "corporate-governance": (1, 1, 2),
    "stakeholder-relationships": (1, 1, 2),
    "business-change": (0, 1, 1),
}
# Rated so far in the 2026/27 review (the rest are still to do).
RATED_THIS_YEAR = ["staff-ict-skills", "ict-staff-development", "information-security",
                   "performance-management", "service-level-management", "service-desk-incident",
                   "problem-management", "programme-project-management"]

# (title, standards, objectives, targets, months from the start of 2025/26 to due,
#  status, RAG, progress note) — from the strategy's action plans.
ACTIONS = [
    ("Define an ICT training path with HR: all staff to work towards a basic qualification "
     "such as the European Computer Driving Licence", ["staff-ict-skills"], ["CP3"], ["G18"], 14,
     st.ActionStatus.IN_PROGRESS, st.RAG.AMBER, "Draft path agreed with HR; ECDL provider quotes in."),
    ("Establish an ICT training programme with on-line learning for user and ICT skills",
     ["staff-ict-skills"], ["CP3"], ["G18"], 18, st.ActionStatus.NOT_STARTED, st.RAG.AMBER,
     "Waiting for the training path to be agreed."),
    ("Set up a register of ICT skills and run a succession-planning exercise",
     ["ict-staff-development"], ["CP3"], [], 12, st.ActionStatus.IN_PROGRESS, st.RAG.GREEN,
     "Skills interviews done for 9 of 12 ICT staff."),
    ("Close the ICT staff skills gap so no service relies on one or two key people",
     ["ict-staff-development"], ["CP3"], [], 20, st.ActionStatus.IN_PROGRESS, st.RAG.AMBER,
     "Second engineer trained on the Financial Management System."),
    ("Document the current technical architecture and keep it under control",
     ["ict-architecture"], ["CP2"], [], 10, st.ActionStatus.DONE, st.RAG.GREEN,
     "Architecture document published on the intranet."),
    ("Document the configuration management process and open the configuration library to "
     "all ICT staff", ["configuration-development-integration", "configuration-change-release"],
     ["CP2"], [], 9, st.ActionStatus.IN_PROGRESS, st.RAG.RED,
     "Library moved, process document still in draft."),
    ("Establish the Information Governance Officer role", ["information-management"], ["CP4"], [],
     8, st.ActionStatus.BLOCKED, st.RAG.RED, "Post not yet funded: with the Corporate Team."),
    ("Define an information classification scheme: levels, marking, handling and disposal",
     ["information-management", "information-security"], ["CP4"], [], 15,
     st.ActionStatus.IN_PROGRESS, st.RAG.AMBER, "Draft scheme with the Information Governance group."),
    ("Work towards BS 7799 conformance and certification", ["information-security"], ["CP4"], [],
     24, st.ActionStatus.IN_PROGRESS, st.RAG.GREEN, "Gap analysis complete; 31 controls to go."),
    ("Appoint the Information Security Officer, with an awareness programme and an incident "
     "handling process", ["information-security"], ["CP4"], [], 11, st.ActionStatus.DONE,
     st.RAG.GREEN, "Officer in post; incident process approved by CMT."),
    ("Define, agree and monitor SLAs for prioritised helpdesk calls",
     ["performance-management", "service-level-management"], ["CP1", "CP2"], ["L-SD1"], 6,
     st.ActionStatus.DONE, st.RAG.GREEN, "SLAs live in Borough; monthly figures to ICT board."),
    ("Collate and publish server utilisation statistics and use them to anticipate overload",
     ["performance-management", "capacity-availability-continuity"], ["CP2"], [], 13,
     st.ActionStatus.IN_PROGRESS, st.RAG.AMBER, "Collection running on 14 of 22 servers."),
    ("Catalogue the council's software systems with contracts, users, licences, maintenance "
     "and costs", ["supplier-management", "ict-financial-management"], ["CP2"], [], 12,
     st.ActionStatus.IN_PROGRESS, st.RAG.GREEN, "19 of about 25 systems catalogued."),
    ("Develop and publish a new ICT procurement strategy and procedure with business cases",
     ["strategic-sourcing"], ["CP2"], [], 16, st.ActionStatus.NOT_STARTED, st.RAG.AMBER,
     "Scheduled after the software catalogue."),
    ("Formalise PRINCE2 as the council's project method and train every project manager",
     ["programme-project-management"], ["CP2"], ["IEG"], 12, st.ActionStatus.IN_PROGRESS,
     st.RAG.GREEN, "Six project managers through Foundation."),
    ("Establish a programme office to co-ordinate all projects", ["programme-project-management"],
     ["CP2", "CP5"], ["IEG"], 20, st.ActionStatus.NOT_STARTED, st.RAG.AMBER,
     "Terms of reference drafted."),
    ("Review the helpdesk: governance, performance, statistics and monitoring",
     ["service-desk-incident", "problem-management"], ["CP1"], ["L-SD1"], 7, st.ActionStatus.DONE,
     st.RAG.GREEN, "New service desk live; statistics reviewed monthly."),
    ("Publish information security policies, processes and procedures",
     ["corporate-governance", "information-security"], ["CP4"], [], 9, st.ActionStatus.IN_PROGRESS,
     st.RAG.RED, "Acceptable use policy overdue for member approval."),
    ("Set up an ICT stakeholder forum with heads of service and members",
     ["stakeholder-relationships"], ["CP1", "CP5"], ["BVPI 157"], 10, st.ActionStatus.IN_PROGRESS,
     st.RAG.GREEN, "First two meetings held."),
]


def load(now=None) -> dict[str, int]:
    """Load the framework everywhere and give the first demo council (Copeland) its
    reviews and action plan, once."""
    results = frameworks.load_shipped()
    counts = {"frameworks loaded": sum(1 for r in results if r.created)}
    organisation = Organisation.objects.filter(code="cbc").first()
    framework = (st.Framework.objects.filter(code=FRAMEWORK_CODE).order_by("-version").first())
    if organisation is None or framework is None:
        return counts
    if st.AssessmentCycle.objects.filter(organisation=organisation).exists():
        return counts  # already has reviews: leave them alone
    now = now or timezone.now()
    with transaction.atomic():
        counts.update(_load_council(organisation, framework, now))
    return counts


def _user(organisation, login: str) -> User:
    return User.objects.get(username=f"{organisation.code}-{login}")


def _financial_year(today: date) -> int:
    """The year the current April-to-March financial year started in."""
    return today.year if today.month >= 4 else today.year - 1


def _load_council(organisation, framework, now) -> dict[str, int]:
    manager, administrator = _user(organisation, "ictmanager"), _user(organisation, "administrator")
    for user in (manager, administrator):
        user.active_organisation_id = organisation.pk
    objectives = {code: _ensure(st.CorporateObjective, organisation, code=code, title=title,
                                plan="Corporate Plan 2024–2028") for code, title in OBJECTIVES}
    targets = {code: _ensure(st.Target, organisation, code=code, title=title, scope=scope)
               for code, title, scope in TARGETS}
    year = _financial_year(now.date())
    last = _cycle(manager, organisation, framework, year - 1)
    _rate_all(manager, administrator, last, column=0, only=None)
    assess.submit_cycle(last, actor=manager)
    assess.approve_cycle(last, actor=administrator)
    current = _cycle(manager, organisation, framework, year)
    _rate_all(manager, administrator, current, column=1, only=RATED_THIS_YEAR)
    plan.record_review(organisation.pk, actor=manager, report="servicedesk-statistics",
                       reviewed_on=now.date() - timedelta(days=20), meeting="ICT management board",
                       note="Monthly figures: P1/P2 compliance and the backlog by age.")
    actions = _action_plan(manager, organisation, last, objectives, targets, now.date())
    return {"assessment cycles": 2, "actions": actions,
            "corporate plan objectives": len(objectives), "targets": len(targets)}


def _ensure(model, organisation, **fields):
    existing = model.objects.filter(organisation=organisation, code=fields["code"]).first()
    return existing or core_services.create_record(model(organisation=organisation, **fields),
                                                   actor=None)


def _cycle(manager, organisation, framework, year: int):
    name = f"Annual review {year}/{(year + 1) % 100:02d}"
    summary = (
        "Copeland's ICT strategy is measured against the nineteen National e-Service Delivery "
        "Standards in thirteen themes. This review records where the council stands against each "
        "standard, on what evidence, and the actions that close the gaps."
    )
    return assess.start_cycle(organisation, actor=manager, framework=framework, name=name,
                              starts_on=date(year, 4, 1), ends_on=date(year + 1, 3, 31), summary=summary)


def _rate_all(manager, reviewer, cycle, *, column: int, only: list[str] | None) -> None:
    ratings = (st.StandardAssessment.objects.filter(cycle=cycle).select_related("standard")
               .order_by("standard__theme__order", "standard__order"))
    for rating in ratings:
        code = rating.standard.code
        if code not in LEVELS or (only is not None and code not in only):
            continue
        level, target = LEVELS[code][column], LEVELS[code][2]
        for result in st.CriterionResult.objects.filter(rating=rating).select_related("criterion"):
            if result.criterion.kind == st.CriterionKind.STATEMENT:
                assess.answer_criterion(result, actor=manager, met=result.criterion.level <= level,
                                        expected_version=result.version)
        rating.refresh_from_db()
        rating = assess.rate_standard(
            rating, actor=manager, current_level=level, target_level=target, expected_version=rating.version,
            commentary=f"Rated {st.Level(level).label} at the {cycle.name.lower()}.")
        if code == "service-desk-incident":
            assess.add_evidence(rating, actor=manager, title="Service desk statistics",
                                note="The monthly statistics pack reviewed by the ICT board.",
                                url="https://intranet.copeland.example.gov.uk/ict/statistics")
        rating.refresh_from_db()
        assess.sign_off_rating(rating, actor=reviewer, note="Agreed at the ICT management board.",
                               expected_version=rating.version)


def _action_plan(manager, organisation, cycle, objectives, targets, today: date) -> int:
    standards = {s.code: s for s in st.Standard.objects.filter(framework=cycle.framework)}
    owners = list(Person.objects.filter(organisation=organisation, user__isnull=False)
                  .exclude(job_title="Requester").order_by("full_name"))
    start = cycle.starts_on
    for index, (title, codes, objective_codes, target_codes, months, status, rag,
                note) in enumerate(ACTIONS):
        due = start + timedelta(days=round(months * 30.4))
        linked = [standards[c] for c in codes if c in standards]
        action = plan.create_action(organisation.pk, actor=manager, title=title,
                                    description="From the ICT strategy's action plan (Appendix B).",
                                    theme=linked[0].theme if linked else None,
                                    owner=owners[index % len(owners)] if owners else None,
                                    due_on=max(due, today), cycle=cycle, standards=linked,
                                    objectives=[objectives[c] for c in objective_codes],
                                    targets=[targets[c] for c in target_codes])
        if due < today:
            # History: the date it was due when the plan was written, now past.
            st.Action.objects.filter(pk=action.pk).update(due_on=due)
            action.refresh_from_db()
        plan.add_action_update(action, actor=manager, note=note, rag=rag, status=status)
    return len(ACTIONS)
