"""Writes for procurement (docs/procurement.md). A request's moves through its approval
route are record actions on its lifecycle (`lifecycle.REQUEST`): submit, approve (a vote
counted towards the step's quorum, core.approvals), refuse, return for changes,
withdraw; and "Create the contract" on an approved request. Its options change through
`save_option` and `remove_option`, which keep the request's value (the recommended
option's whole-life cost) and refuse once it is submitted. Everything else is
core.services' create, change and delete."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.accounts.models import Membership
from borough.cmdb.models import CIClass, ConfigurationItem
from borough.commercial.models import Contract, ContractCover, ContractKind
from borough.core import approvals, audit, notifications, roles, scope, services
from borough.core.actions import Actions
from borough.core.lifecycle import permission
from borough.core.models import AuditAction
from borough.core.money import format_pounds, pence
from borough.finance import queries as finance_queries
from borough.finance import services as finance_services
from borough.organisation.models import Person
from borough.procurement import forms
from borough.procurement.lifecycle import REQUEST, STEP_APPROVER, is_approver, recommended
from borough.procurement.models import (
    EDITABLE,
    WAITING,
    Decision,
    Delegation,
    Outcome,
    ProcurementOption,
    ProcurementRequest,
    Status,
)


def _lock(request: ProcurementRequest) -> ProcurementRequest:
    return (ProcurementRequest.objects.select_for_update(of=("self",))
            .select_related("current_step", "requester", "owner")
            .get(pk=request.pk))


REQUEST_ACTIONS = Actions(ProcurementRequest, lifecycle=REQUEST, lock=_lock)


def _decide(request: ProcurementRequest, actor, outcome: str, note: str) -> Decision:
    """Record the decision on the step whose turn it is (the row commits or rolls back
    with the vote and the move)."""
    return Decision.objects.create(
        organisation_id=request.organisation_id, request=request,
        step=request.current_step, outcome=outcome, decided_by=actor,
        note=(note or "").strip(), created_by=actor, updated_by=actor)


submit = REQUEST_ACTIONS.add(
    "submit", label="Submit for approval", transition="submit", permission="change",
    success=lambda r: f"{r.reference} is submitted. It now waits for "
                      f"{r.current_step.name if r.current_step else 'approval'}.")


@REQUEST_ACTIONS.action("approve", label="Approve", form=forms.ApproveForm,
                        transition="approve", permission="view",
                        success=lambda r: _approved_message(r))
def approve(request: ProcurementRequest, *, actor, note: str = "") -> None:
    """Approve at the step whose turn it is: one vote towards the step's quorum. The vote
    that reaches it moves the request to the next step, or approves it at the last."""
    if actor is None:
        raise ValidationError("Only a person can approve.")
    _decide(request, actor, Outcome.APPROVE, note)


def _approved_message(request: ProcurementRequest) -> str:
    if request.status == Status.APPROVED:
        return f"{request.reference} is approved."
    return (f"Your approval is recorded. {request.reference} now waits for "
            f"{request.current_step.name if request.current_step else 'approval'}.")


@REQUEST_ACTIONS.action("refuse", label="Refuse", form=forms.ReasonForm, transition="refuse",
                        permission="view", danger=True,
                        success=lambda r: f"{r.reference} is refused.")
def refuse(request: ProcurementRequest, *, actor, note: str) -> None:
    """Refuse the request at the step whose turn it is, with the reason: it ends there."""
    _reason(note)
    _decide(request, actor, Outcome.REFUSE, note)


@REQUEST_ACTIONS.action("return", label="Return for changes", form=forms.ReasonForm,
                        transition="return", permission="view",
                        success=lambda r: f"{r.reference} is returned for changes.")
def return_for_changes(request: ProcurementRequest, *, actor, note: str) -> None:
    """Send it back to the person who raised it with what to change; once changed it is
    submitted again and goes through its route from the first step."""
    _reason(note)
    _decide(request, actor, Outcome.RETURN, note)


def _reason(note: str) -> None:
    if not (note or "").strip():
        raise ValidationError({"note": "Give the reason: the person who raised it reads it."})


@REQUEST_ACTIONS.action("delegate", label="Delegate my decision", form=forms.DelegateForm,
                        permission="view", who=STEP_APPROVER, states=WAITING,
                        success=lambda r: f"Your decision on {r.reference} is delegated.")
def delegate(request: ProcurementRequest, *, actor, deputy: Person, note: str = ""
             ) -> None:
    """Hand `actor`'s decision at the step whose turn it is to `deputy`, who decides in
    their place (and they no longer do): recorded as a Delegation, audited on the request,
    the deputy told in Borough and by email. The deputy must be able to approve: an active
    login in the council with a role that reads procurement requests (not the auditor),
    not the person who raised it, and not already one who decides this step."""
    if actor is None:
        raise ValidationError("Only a person can delegate their decision.")
    if request.status not in WAITING:
        raise ValidationError(f"Only a request waiting for approval can be delegated; "
                              f"{request.reference} is "
                              f"{request.get_status_display().lower()}.")
    step = request.current_step
    if any(v.voter_id == actor.pk for v in approvals.current_votes(request, "approve")):
        raise ValidationError("You have already approved at this step: there is nothing "
                              "left to delegate.")
    problem = deputy_problem(request, step, deputy)
    if problem:
        raise ValidationError({"deputy": problem})
    Delegation.objects.create(
        organisation_id=request.organisation_id, request=request, step=step,
        delegated_by=actor, deputy=deputy, note=(note or "").strip(), created_by=actor,
        updated_by=actor)
    audit.record(request, AuditAction.EVENT, actor=actor,
                 changes={"delegation": [None, f"{step.name}: {actor} to {deputy.full_name}"]},
                 note=note or f"Decision at {step.name} delegated to {deputy.full_name}.")
    value = format_pounds(request.value)
    notifications.notify(
        [deputy.user], organisation_id=request.organisation_id,
        event="procurement-approval-delegated",
        context={"value": value, "step": f"{step.position}, {step.name}",
                 "delegated_by": actor, "note": (note or "").strip()},
        subject=f"{request.reference} waits for your approval, as {actor}'s deputy: "
                f"{request.title} ({value})",
        body=(f"{actor} has delegated their decision at step {step.position}, {step.name}, "
              f"to you: decide on this business case for {value} in their place. Read it, "
              "then approve it, return it for changes or refuse it."
              + (f" Their note: {note.strip()}" if (note or "").strip() else "")),
        url=request.get_absolute_url(), thread=request)


def deputy_problem(request: ProcurementRequest, step, deputy: Person) -> str | None:
    """Why `deputy` cannot decide `step` of `request` in someone's place, in words."""
    user = deputy.user if deputy.user_id else None
    if deputy.organisation_id != request.organisation_id:
        return "Choose a deputy from the list."
    if user is None or not user.is_active:
        return f"{deputy.full_name} cannot sign in to Borough, so cannot approve."
    held = (Membership.objects.filter(user=user, organisation_id=request.organisation_id,
                                      is_active=True).values_list("role__name", flat=True)
            .first())
    if held is None or held == roles.AUDITOR or not scope.can(
            user, "view", ProcurementRequest, request.organisation_id):
        return (f"{deputy.full_name}'s role does not let them decide procurement requests: "
                "choose someone whose role reads them (not the auditor).")
    if request.requester_id and request.requester.user_id == user.pk:
        return f"{deputy.full_name} raised this request: nobody approves their own."
    if is_approver(user, step, request.organisation_id):
        return (f"{deputy.full_name} already decides this step: choose someone who does "
                "not, so the step still has the approvals it needs from different people.")
    return None


withdraw = REQUEST_ACTIONS.add(
    "withdraw", label="Withdraw", form=forms.NoteForm, transition="withdraw",
    permission="change", danger=True, success=lambda r: f"{r.reference} is withdrawn.")


# --- options -------------------------------------------------------------------------------

def _editable_request(request_id: int, actor) -> ProcurementRequest:
    """The option's request, locked, whose options may change: a draft or returned one;
    one waiting for approval goes back to draft first (its approvers told, the approvals
    given so far no longer counting), as when its business case is edited."""
    locked = _lock(ProcurementRequest(pk=request_id))
    if locked.status in WAITING:
        services.record_parts_changed(locked, {"options"}, actor=actor)
        locked = _lock(locked)
    if locked.status not in EDITABLE:
        raise ValidationError(
            f"{locked.reference} is {locked.get_status_display().lower()}: its options can "
            "change only while it is a draft, returned for changes or waiting for approval.")
    return locked


def _keep_value(request: ProcurementRequest, actor) -> None:
    """The request's value is its recommended option's whole-life cost."""
    chosen = request.options.filter(is_recommended=True).first()
    value = pence(chosen.whole_life_cost) if chosen else None
    if request.value != value:
        services.update_record(request, actor=actor, data={"value": value},
                               expected_version=None, note="Recommended option's cost.")


def save_option(option: ProcurementOption, *, actor, data: dict | None = None,
                expected_version: int | None = None,
                idempotency_key: str | None = None) -> ProcurementOption:
    """Add `option` (unsaved) or change it with `data`, while its request is a draft or
    returned; a recommended option takes the recommendation from the others, and the
    request's value follows."""
    data = dict(data or {})
    if option.pk and "request" in data and getattr(data["request"], "pk", None) != \
            option.request_id:
        raise ValidationError({"request": "An option stays with its request: add it to the "
                                          "other request instead."})
    data.pop("request", None)
    with transaction.atomic():
        request = _editable_request(option.request_id, actor)
        if data.get("is_recommended", option.is_recommended):
            for other in request.options.filter(is_recommended=True).exclude(pk=option.pk):
                services.update_record(other, actor=actor, data={"is_recommended": False},
                                       expected_version=None,
                                       note="Another option is recommended.")
        if option.pk is None:
            saved = services.create_record(option, actor=actor,
                                           idempotency_key=idempotency_key)
        else:
            saved = services.update_record(option, actor=actor, data=data,
                                           expected_version=expected_version)
        _keep_value(request, actor)
    return saved


def remove_option(option: ProcurementOption, *, actor, expected_version: int | None = None
                  ) -> None:
    with transaction.atomic():
        request = _editable_request(option.request_id, actor)
        services.delete_record(option, actor=actor, expected_version=expected_version)
        _keep_value(request, actor)


# --- the contract ----------------------------------------------------------------------------

KEEPS_CONTRACTS = permission("commercial.add_contract", "those who keep the contracts register",
                             refusal="Only those who keep the contracts register can create "
                                     "a contract.")


def has_no_contract(request: ProcurementRequest, actor) -> str | None:
    if request.contract_id:
        return f"{request.reference} is already contract {request.contract.reference}."
    return None


def contract_defaults(request: ProcurementRequest) -> dict:
    """The contract as the request and its recommended option say it: nothing retyped."""
    option = recommended(request)
    start = timezone.localdate()
    if request.needed_by and request.needed_by > start:
        start = request.needed_by
    months = option.term_months if option and option.term_months else 12
    lines = [request.description.strip(),
             f"Bought through {request.reference}: {request.title}."]
    return {
        "title": request.title, "supplier": option.supplier if option else None,
        "kind": ContractKind.CONTRACT, "start_date": start,
        "end_date": start + relativedelta(months=months) - datetime.timedelta(days=1),
        "annual_value": option.annual_cost if option else None,
        "whole_life_value": option.whole_life_cost if option else request.value,
        "renewal_terms": "fixed", "notice_period": 3, "notice_unit": "months",
        "procurement_route": "", "owner": request.owner,
        "description": "\n\n".join(line for line in lines if line),
    }


@REQUEST_ACTIONS.action("create-contract", label="Create the contract", form=forms.ContractForm,
                        permission="change", who=KEEPS_CONTRACTS, states=(Status.APPROVED,),
                        returns=Contract,
                        success=lambda c: f"Contract {c.reference} created from the request.")
def create_contract(request: ProcurementRequest, *, actor, configuration_item=None,
                    new_application: str = "", **given) -> Contract:
    """Make the contract the approved request buys, filled from the request and its
    recommended option (anything given replaces those values), what it covers (a CI in the
    CMDB, or a new application added as planned), and the budget commitment; the request
    and the contract then point at each other."""
    if request.status != Status.APPROVED:
        raise ValidationError(f"Only an approved request becomes a contract; "
                              f"{request.reference} is {request.get_status_display().lower()}.")
    if (reason := has_no_contract(request, actor)):
        raise ValidationError(reason)
    fields = contract_defaults(request) | given
    if fields.get("supplier") is None:
        raise ValidationError({"supplier": "Choose the supplier: the recommended option names "
                                           "none."})
    if fields.get("renewal_terms") != "auto":
        fields.pop("renewal_months", None)
    contract = services.create_record(
        Contract(organisation_id=request.organisation_id, procurement_reference=request.reference,
                 **fields),
        actor=actor, note=f"Created from {request.reference}.")
    item = configuration_item
    if new_application.strip():
        item = _new_application(request, new_application.strip(), actor)
    if item is not None:
        services.create_record(ContractCover(organisation_id=request.organisation_id,
                                             contract=contract, configuration_item=item,
                                             note=f"Bought through {request.reference}"),
                               actor=actor)
    request.contract = contract
    request.budget_commitment = commit_budget(request, contract, actor=actor)
    return contract


def _new_application(request: ProcurementRequest, name: str, actor) -> ConfigurationItem:
    application = CIClass.objects.filter(organisation_id=request.organisation_id,
                                         code="application").first()
    if application is None:
        raise ValidationError({"new_application": "This council has no Application class in "
                                                  "its CMDB: add the item there first."})
    if ConfigurationItem.objects.filter(organisation_id=request.organisation_id,
                                        name__iexact=name).exists():
        raise ValidationError({"new_application": f"“{name}” is already in the CMDB: choose "
                                                  "it as what the contract covers."})
    return services.create_record(ConfigurationItem(
        organisation_id=request.organisation_id, ci_class=application, name=name,
        status="planned", owner=request.owner, service_unit=request.service_unit,
        description=f"Bought through {request.reference}: {request.title}."),
        actor=actor, note=f"Added from {request.reference}.")


def commit_budget(request: ProcurementRequest, contract: Contract, *, actor) -> str:
    """The budget commitment of an approved request, the one place procurement writes to
    the finance module; returns the commitment's reference.

    The amount is the recommended option's annual cost (what the year's budget carries),
    else the request's whole-life value; the year is the request's financial year, else
    that of the contract's start; the cost centre is the finance module's of that code,
    if there is one (else none, and the description says which code was asked for).
    Committed by Borough on the decision's behalf (the person who made the contract need
    not keep the budgets); committing the same request again finds the first one."""
    option = recommended(request)
    amount = option.annual_cost if option and option.annual_cost is not None else request.value
    if amount is None:
        return ""
    year = (int(request.financial_year[:4]) if request.financial_year
            else finance_queries.year_of(contract.start_date))
    code = request.cost_centre.strip()
    centre = (finance_queries.cost_centres_of(request.organisation_id)
              .filter(code__iexact=code).first() if code else None)
    words = [f"{request.reference} {request.title}: contract {contract.reference}"]
    if code and centre is None:
        words.append(f"(cost centre {code} is not in the finance module)")
    commitment = finance_services.commit(
        request.organisation_id, actor=None, amount=amount, financial_year=year,
        cost_centre=centre, source=request, source_reference=request.reference,
        description=" ".join(words))
    return commitment.reference
