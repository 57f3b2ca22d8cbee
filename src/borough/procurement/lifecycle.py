"""A procurement request's lifecycle, declared once (core.lifecycle): a draft is submitted,
goes through the council's approval steps in turn — each approved by as many of its
approvers as it needs (core.approvals: votes and a quorum) — and is approved at the last;
any approver of the step whose turn it is may refuse it, or return it for changes. A
request changed after it was submitted goes back to draft and must be submitted again.

The route is fixed when the request is submitted (`start_route`): the council's steps up
to the first whose limit covers the request's value, copied as `RouteStep`s of the round."""

from __future__ import annotations

from django.urls import reverse

from borough.accounts.models import Membership
from borough.core import notifications, roles
from borough.core.lifecycle import Approval, EditTakes, Lifecycle, Move, Transition, Who, permission
from borough.core.money import format_pounds, pence
from borough.procurement.models import (
    EDITABLE,
    VIEW_ALL,
    WAITING,
    ApprovalStep,
    ProcurementRequest,
    RouteStep,
    Status,
    StepState,
)

# --- who ---------------------------------------------------------------------------------

MANAGES = permission(VIEW_ALL, "ICT management",
                     refusal="Only the person who raised it, its owner or ICT management "
                             "can do that.")
REQUESTER = Who("the person who raised it",
                lambda actor, request: bool(request.requester_id)
                and request.requester.user_id == actor.pk)
OWNER = Who("its owner", lambda actor, request: bool(request.owner_id)
            and request.owner.user_id == actor.pk)
ITS_PEOPLE = REQUESTER | OWNER | MANAGES


def is_approver(actor, step: RouteStep | None, organisation_id: int) -> bool:
    """Whether `actor` may decide at `step`: they hold its role in the organisation, or
    are named on it."""
    if step is None or actor is None:
        return False
    held = Membership.objects.filter(user=actor, organisation_id=organisation_id,
                                     is_active=True).values_list("role__name", flat=True).first()
    if held == roles.AUDITOR:
        return False  # the auditor changes nothing, named or not (SECURITY.md rule 6)
    if step.delegations.filter(delegated_by=actor).exists():
        return False  # they handed this step to a deputy, who decides in their place
    if step.approver_role and Membership.objects.filter(
            user=actor, organisation_id=organisation_id, is_active=True,
            role__name=step.approver_role).exists():
        return True
    return (step.approvers.filter(user=actor).exists()
            or step.delegations.filter(deputy__user=actor).exists())


def _decides_now(actor, request: ProcurementRequest) -> bool:
    if request.status not in WAITING:
        return True  # nobody's turn: the state's own refusal says so (Lifecycle.check)
    if not request.current_step_id:
        return False
    if request.requester_id and request.requester.user_id == actor.pk:
        return False  # nobody approves their own request
    return is_approver(actor, request.current_step, request.organisation_id)


STEP_APPROVER = Who(
    "the approvers of the step whose turn it is (not the person who raised it)",
    _decides_now,
    refusal="Only the approvers of the step whose turn it is can decide on this request, "
            "and never the person who raised it.")
NOBODY = Who("Borough, when the last step approves", lambda actor, request: False)


# --- the route ---------------------------------------------------------------------------

def route_for(organisation_id: int, value) -> list[ApprovalStep]:
    """The council's steps a request of `value` goes through, in turn: every step up to
    and including the first whose limit is at least the value (a value exactly at a limit
    stops there). Empty when no step covers it."""
    route = []
    for step in ApprovalStep.objects.filter(organisation_id=organisation_id).in_order():
        route.append(step)
        if step.up_to is None or value <= step.up_to:
            return route
    return []


def recommended(request: ProcurementRequest):
    return request.options.filter(is_recommended=True).select_related("supplier").first()


def ready_to_submit(request: ProcurementRequest, actor) -> list[str] | None:
    """What the business case needs before it can be submitted, in words."""
    missing = []
    options = list(request.options.all())
    chosen = [o for o in options if o.is_recommended]
    if not options:
        missing.append("Appraise at least one option, with its whole-life cost.")
    elif not chosen:
        missing.append("Mark the option you recommend.")
    elif chosen[0].whole_life_cost <= 0:
        missing.append("Give the recommended option's whole-life cost.")
    if not request.funding_source:
        missing.append("Say where the money comes from (funding source).")
    if not request.financial_year:
        missing.append("Give the financial year it is spent in.")
    if chosen and chosen[0].whole_life_cost > 0:
        steps = list(ApprovalStep.objects.filter(organisation_id=request.organisation_id)
                     .in_order())
        if not steps:
            missing.append("The council has no approval steps yet: an administrator or the "
                           "ICT manager sets them (Procurement, Approval steps).")
        elif not route_for(request.organisation_id, chosen[0].whole_life_cost):
            missing.append(f"No approval step covers {format_pounds(chosen[0].whole_life_cost)}"
                           f": the highest goes up to {format_pounds(steps[-1].up_to)}. Add a "
                           "step above it (Procurement, Approval steps).")
    return [f"{request.reference} cannot be submitted yet.", *missing] if missing else None


# --- notifications -----------------------------------------------------------------------

def approver_users(step: RouteStep, organisation_id: int) -> list:
    """The people to tell that it is their turn: those with the step's role and those
    named, with a login, active."""
    users = {}
    if step.approver_role:
        for membership in Membership.objects.filter(
                organisation_id=organisation_id, is_active=True, user__is_active=True,
                role__name=step.approver_role).select_related("user"):
            users[membership.user_id] = membership.user
    for person in step.approvers.select_related("user"):
        if person.user_id and person.user.is_active:
            users[person.user_id] = person.user
    for delegation in step.delegations.select_related("deputy__user"):
        users.pop(delegation.delegated_by_id, None)
        deputy = delegation.deputy
        if deputy.user_id and deputy.user.is_active:
            users[deputy.user_id] = deputy.user
    return list(users.values())


def _url(request: ProcurementRequest) -> str:
    return reverse("procurement:procurementrequest_detail", args=[request.pk])


def tell_approvers(request: ProcurementRequest, step: RouteStep, actor=None) -> None:
    users = [u for u in approver_users(step, request.organisation_id)
             if u.pk != getattr(actor, "pk", None)
             and not (request.requester_id and request.requester.user_id == u.pk)]
    value = format_pounds(request.value)
    notifications.notify(
        users, organisation_id=request.organisation_id, event="procurement-approval-due",
        context={"value": value, "step": f"{step.position}, {step.name}",
                 "approvals_needed": step.approvals_needed},
        subject=f"{request.reference} waits for your approval: {request.title} ({value})",
        body=(f"It is the turn of step {step.position}, {step.name}, to decide on this "
              f"business case for {value}. Read it, then approve it, return it for changes "
              f"or refuse it. It needs {step.approvals_needed} approval"
              f"{'' if step.approvals_needed == 1 else 's'} at this step."),
        url=_url(request), thread=request)


def tell_its_people(request: ProcurementRequest, actor, subject: str, body: str, *,
                    decision: str, note: str = "") -> None:
    people = [p for p in (request.requester, request.owner) if p is not None]
    users = [p.user for p in people if p.user_id and p.user_id != getattr(actor, "pk", None)]
    notifications.notify(users, organisation_id=request.organisation_id,
                         event="procurement-decided", subject=subject, body=body,
                         url=_url(request), thread=request,
                         context={"decision": decision, "note": note})


# --- effects -----------------------------------------------------------------------------

def start_route(move: Move) -> None:
    """Submitted: the value is the recommended option's whole-life cost, the route the
    steps it needs, the first step's approvers told."""
    request = move.record
    chosen = recommended(request)
    request.value = pence(chosen.whole_life_cost)
    request.round += 1
    request.submitted_at = move.now
    request.decided_at = None
    steps = route_for(request.organisation_id, request.value)
    made = []
    for position, step in enumerate(steps, start=1):
        copy = RouteStep.objects.create(
            organisation_id=request.organisation_id, request=request, round=request.round,
            position=position, name=step.name, up_to=step.up_to,
            approver_role=step.approver_role, approvals_needed=step.approvals_needed,
            remind_after_days=step.remind_after_days,
            state=StepState.CURRENT if position == 1 else StepState.WAITING,
            started_at=move.now if position == 1 else None,
            created_by=_user(move.actor), updated_by=_user(move.actor))
        copy.approvers.set(step.approvers.all())
        made.append(copy)
    request.current_step = made[0]
    tell_approvers(request, made[0], move.actor)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _finish(step: RouteStep, state: str, now) -> None:
    step.state = state
    step.finished_at = now
    step.save(update_fields=["state", "finished_at", "updated_at"])


def advance(move: Move) -> None:
    """The step whose turn it was has its approvals: on to the next, or approved."""
    request = move.record
    step = request.current_step
    _finish(step, StepState.APPROVED, move.now)
    following = RouteStep.objects.filter(request=request, round=step.round,
                                         position=step.position + 1).first()
    if following is None:
        REQUEST.apply(request, "complete", actor=move.actor, checked=True, now=move.now)
        return
    following.state = StepState.CURRENT
    following.started_at = move.now
    following.save(update_fields=["state", "started_at", "updated_at"])
    request.current_step = following
    tell_approvers(request, following, move.actor)


def approved(move: Move) -> None:
    request = move.record
    request.current_step = None
    request.decided_at = move.now
    tell_its_people(request, move.actor,
                    f"{request.reference} is approved: {request.title}",
                    "Every step of its approval route has approved the business case. "
                    "Create its contract from the request's page.", decision="approved")


def _stop(state: str, tell: str | None):
    def stop(move: Move) -> None:
        request = move.record
        step = request.current_step
        if step is not None:
            _finish(step, state, move.now)
        RouteStep.objects.filter(request=request, round=request.round,
                                 state=StepState.WAITING).update(state=StepState.CANCELLED)
        if step is not None and move.transition.name == "redraft":
            # The approvers waiting on it are no longer.
            users = [u for u in approver_users(step, request.organisation_id)
                     if u.pk != getattr(move.actor, "pk", None)]
            notifications.notify(
                users, organisation_id=request.organisation_id,
                event="procurement-approval-withdrawn",
                subject=f"{request.reference} was changed and no longer waits for you",
                body="Its business case changed after it was submitted, so it is a draft "
                     "again. If it is submitted again, you will be told.",
                url=_url(request), thread=request)
        request.current_step = None
        if state in (StepState.REFUSED, StepState.RETURNED):
            request.decided_at = move.now
        if tell:
            reason = f" The reason given: {move.note}" if move.note else ""
            tell_its_people(request, move.actor, tell.format(reference=request.reference,
                                                             title=request.title),
                            f"{StepState(state).label} at step {step.position} ({step.name})"
                            f" by {move.actor}.{reason}" if step else reason.strip(),
                            decision=StepState(state).label.lower(), note=move.note)
    stop.__name__ = f"stop_{state}"
    return stop


# What the approvers read: changing any of it after submission returns it to draft, and
# the approvals given so far stop counting (a new round starts from the first step). Its
# objectives and standards are many-to-many fields; its options (and so its value) are
# rows of their own, named "options" by services.save_option and remove_option.
BUSINESS_CASE = {
    "title": "what it is", "description": "what it is", "justification": "why",
    "service_unit": "who it is for", "objectives": "objectives",
    "standards": "standards", "funding_source": "funding",
    "financial_year": "funding", "cost_centre": "funding", "needed_by": "dates",
    "requester": "who asks", "owner": "owner", "value": "value", "options": "options",
}

REQUEST = Lifecycle(ProcurementRequest, "status", on_edit=[
    EditTakes("redraft", WAITING, BUSINESS_CASE,
              note="Returned to {target}: its {what} changed after it was submitted."),
], transitions=[
    Transition("submit", "Submit for approval", EDITABLE, Status.SUBMITTED, who=ITS_PEOPLE,
               guards=(ready_to_submit,), after=(start_route,),
               refusal="Only a draft, or a request returned for changes, can be submitted; "
                       "{reference} is {state}.",
               conditions="options appraised, one recommended, funding given and an "
                          "approval step covering its value"),
    Transition("approve", "Approve", WAITING, Status.IN_APPROVAL, who=STEP_APPROVER,
               after=(advance,),
               approval=Approval(quorum=lambda r: r.current_step.approvals_needed
                                 if r.current_step_id else 1),
               refusal="Only a request waiting for approval can be approved; {reference} "
                       "is {state}.",
               conditions="each step of its route in turn"),
    Transition("complete", "Approved at the last step", (Status.IN_APPROVAL,),
               Status.APPROVED, who=NOBODY, after=(approved,),
               conditions="when the last step of its route approves"),
    Transition("refuse", "Refuse", WAITING, Status.REFUSED, who=STEP_APPROVER,
               after=(_stop(StepState.REFUSED, "{reference} was refused: {title}"),),
               refusal="Only a request waiting for approval can be refused; {reference} "
                       "is {state}.",
               conditions="with the reason"),
    Transition("return", "Return for changes", WAITING, Status.RETURNED, who=STEP_APPROVER,
               after=(_stop(StepState.RETURNED,
                            "{reference} was returned for changes: {title}"),),
               refusal="Only a request waiting for approval can be returned; {reference} "
                       "is {state}.",
               conditions="with what to change; it is then submitted again from the start"),
    Transition("redraft", "Back to draft", WAITING, Status.DRAFT, who=ITS_PEOPLE,
               after=(_stop(StepState.CANCELLED, None),),
               conditions="when its business case is changed after it was submitted"),
    Transition("withdraw", "Withdraw", (*EDITABLE, *WAITING), Status.WITHDRAWN,
               who=ITS_PEOPLE, after=(_stop(StepState.CANCELLED, None),),
               refusal="{reference} is {state}: it can no longer be withdrawn.",
               conditions="with a note, if wanted; its route stops"),
])
