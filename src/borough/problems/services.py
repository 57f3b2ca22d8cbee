"""Writes for problem management (docs/problems.md). A problem's moves are record actions
on its lifecycle (`lifecycle.PROBLEM`): investigate, record as a known error (which
publishes the known error record), resolve (with the permanent fix, and its linked open
incidents if asked), reopen, close with a review; linking and unlinking incidents are
actions too. A known error is applied to a ticket (its workaround sent or noted there)
and marked as having fixed it ("this fixed it"). Everything else goes through
core.services' create, change and delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from borough.core import services
from borough.core.actions import Actions
from borough.core.lifecycle import permission
from borough.problems import forms
from borough.problems.lifecycle import PROBLEM, STAFF
from borough.problems.models import (
    OPEN,
    KnownError,
    KnownErrorUse,
    Origin,
    Problem,
    ProblemIncident,
    Status,
)
from borough.servicedesk import services as desk
from borough.servicedesk.models import OPEN_STATUSES, Ticket, TicketType


def _lock(problem: Problem) -> Problem:
    return (Problem.objects.select_for_update(of=("self",)).select_related("owner")
            .get(pk=problem.pk))


PROBLEM_ACTIONS = Actions(Problem, lifecycle=PROBLEM, lock=_lock)


# --- raising ---------------------------------------------------------------------------------

def raise_problem(problem: Problem, *, actor, incidents=(), cis=(),
                  idempotency_key: str | None = None) -> Problem:
    """Save a new problem (unsaved `problem`), from the incidents given (or proactively):
    the incidents are linked, and each gets a note on its timeline saying so."""
    incidents = list(incidents)
    _only_incidents(incidents, problem.organisation_id)
    if incidents and problem.origin == Origin.PROACTIVE:
        problem.origin = Origin.INCIDENTS

    def link(made: Problem) -> None:
        _link(made, incidents, actor)

    return services.create_record(problem, actor=actor, idempotency_key=idempotency_key,
                                  many_to_many={"cis": list(cis)} if cis else None, then=link)


def _only_incidents(tickets, organisation_id: int) -> None:
    wrong = [t.reference for t in tickets if t.ticket_type != TicketType.INCIDENT
             or t.organisation_id != organisation_id]
    if wrong:
        raise ValidationError({"incidents": f"Only this council's incidents can be linked to a "
                                            f"problem: not {', '.join(wrong)}."})


def _link(problem: Problem, tickets, actor) -> list[ProblemIncident]:
    """Link each ticket not yet linked, with a note on its timeline."""
    have = set(ProblemIncident.objects.filter(problem=problem, ticket__in=tickets)
               .values_list("ticket_id", flat=True))
    made = []
    for ticket in tickets:
        if ticket.pk in have:
            continue
        made.append(services.create_record(
            ProblemIncident(organisation_id=problem.organisation_id, problem=problem,
                            ticket=ticket), actor=actor))
        desk.add_note(ticket, actor=None,
                      body=f"Linked to problem {problem.reference} {problem.title}"
                           f"{f' by {actor}' if actor else ''}.")
    return made


@PROBLEM_ACTIONS.action("link-incidents", label="Link incidents", form=forms.LinkIncidentsForm,
                        who=STAFF, states=(*OPEN, Status.RESOLVED),
                        success="Incidents linked.")
def link_incidents(problem: Problem, *, actor, incidents) -> None:
    """Link incidents to the problem (those already linked are left as they are)."""
    incidents = list(incidents)
    _only_incidents(incidents, problem.organisation_id)
    if not _link(problem, incidents, actor):
        raise ValidationError({"incidents": "Those incidents are already linked to "
                                            f"{problem.reference}."})


@PROBLEM_ACTIONS.action("unlink-incident", label="Unlink an incident",
                        form=forms.UnlinkIncidentForm, who=STAFF,
                        states=(*OPEN, Status.RESOLVED), success="Incident unlinked.")
def unlink_incident(problem: Problem, *, actor, incident: Ticket) -> None:
    link = ProblemIncident.objects.filter(problem=problem, ticket=incident).first()
    if link is None:
        raise ValidationError({"incident": f"{incident.reference} is not linked to "
                                           f"{problem.reference}."})
    services.delete_record(link, actor=actor, expected_version=None)


# --- the lifecycle ------------------------------------------------------------------------------

investigate = PROBLEM_ACTIONS.add(
    "investigate", label="Start the investigation", form=forms.NoteForm,
    transition="investigate", success=lambda p: f"{p.reference} is under investigation.")


@PROBLEM_ACTIONS.action("record-known-error", label="Record as a known error",
                        form=forms.KnownErrorActionForm, transition="record-known-error",
                        success=lambda p: f"{p.reference} is a known error; its workaround is "
                                          "published to the service desk.")
def record_known_error(problem: Problem, *, actor, workaround: str = "", symptoms: str = ""
                       ) -> None:
    """The workaround is known: the problem becomes a known error, and its known error
    record (what the service desk searches) is published, with its service, first CI and
    the category of its incidents."""
    workaround = (workaround or "").strip() or problem.workaround.strip()
    if not workaround:
        raise ValidationError({"workaround": f"{problem.reference} has no workaround yet: "
                                             "give it here."})
    problem.workaround = workaround
    first_ci = problem.cis.order_by("pk").first()
    category = (Ticket.objects.filter(pk__in=problem.incidents.values("ticket_id"))
                .exclude(category=None).values_list("category", flat=True).first())
    services.create_record(KnownError(
        organisation_id=problem.organisation_id, problem=problem, title=problem.title,
        symptoms=(symptoms or "").strip() or problem.description or problem.title,
        root_cause=problem.root_cause, workaround=workaround, service=problem.service,
        ci=first_ci, category_id=category), actor=actor, note=f"From {problem.reference}.")


@PROBLEM_ACTIONS.action("resolve", label="Resolve", form=forms.ResolveForm, transition="resolve",
                        success=lambda p: f"{p.reference} is resolved."
                        + (f" {p.incidents_resolved} linked incident"
                           f"{'' if p.incidents_resolved == 1 else 's'} resolved with it."
                           if getattr(p, "incidents_resolved", 0) else ""))
def resolve(problem: Problem, *, actor, note: str, resolve_incidents: bool = False) -> None:
    """The permanent fix is in: its known errors stop being current, and, if asked, its
    linked incidents still open are resolved with a note naming the fix. (The change that
    made it is linked from the change: changes.Change.problems.)"""
    if not (note or "").strip():
        raise ValidationError({"note": "Describe the permanent fix."})
    KnownError.objects.filter(problem=problem, is_active=True).update(is_active=False)
    problem.incidents_resolved = 0
    if resolve_incidents:
        tickets = list(Ticket.objects.filter(
            pk__in=problem.incidents.values("ticket_id"), status__in=OPEN_STATUSES))
        done, _refused = desk.resolve.many(
            tickets, actor=actor, code="fixed", code_required=False,
            note=f"Resolved by the permanent fix for problem {problem.reference}: "
                 f"{note.strip()}")
        problem.incidents_resolved = len(done)


@PROBLEM_ACTIONS.action("reopen", label="Reopen", form=forms.ReasonForm, transition="reopen",
                        success=lambda p: f"{p.reference} is reopened.")
def reopen(problem: Problem, *, actor, note: str) -> None:
    """The fix did not hold: investigate again; its known errors are current again."""
    _required(note, "Say why the fix did not hold.")
    KnownError.objects.filter(problem=problem, is_active=False).update(is_active=True)


@PROBLEM_ACTIONS.action("close", label="Close with a review", form=forms.ReviewForm,
                        transition="close", success=lambda p: f"{p.reference} is closed.")
def close(problem: Problem, *, actor, note: str) -> None:
    """Closed after a review of what was learnt and whether the fix held."""
    _required(note, "Write the closure review.")


def _required(note: str, message: str) -> None:
    if not (note or "").strip():
        raise ValidationError({"note": message})


# --- known errors on tickets --------------------------------------------------------------------

KNOWN_ERROR_ACTIONS = Actions(KnownError)

DESK = permission("servicedesk.work_tickets", "service desk staff",
                  refusal="Only service desk staff can use a known error on a ticket.")


def _use(known_error: KnownError, ticket: Ticket, actor) -> tuple[KnownErrorUse, bool]:
    if ticket.organisation_id != known_error.organisation_id:
        raise ValidationError({"ticket": "No ticket has that id."})
    found = KnownErrorUse.objects.select_for_update().filter(
        known_error=known_error, ticket=ticket).first()
    if found is not None:
        return found, False
    return services.create_record(KnownErrorUse(
        organisation_id=known_error.organisation_id, known_error=known_error, ticket=ticket,
        fixed=False, used_by=actor), actor=actor), True


@KNOWN_ERROR_ACTIONS.action("apply", label="Apply the workaround", form=forms.ApplyForm,
                            permission="view", who=DESK, returns=KnownErrorUse,
                            success=lambda use: f"Workaround of {use.known_error.reference} "
                                                f"applied to {use.ticket.reference}.")
def apply(known_error: KnownError, *, actor, ticket: Ticket, send_to_requester: bool = False
          ) -> KnownErrorUse:
    """Put the workaround on the ticket: a reply to the requester, or an internal note for
    the agent to follow; the use is recorded (whether it fixed it is asked afterwards)."""
    use, _ = _use(known_error, ticket, actor)
    words = f"Known error {known_error.reference} {known_error.title}. Workaround:\n" \
            f"{known_error.workaround}"
    if send_to_requester and ticket.status in (*OPEN_STATUSES, "resolved"):
        desk.reply(ticket, actor=actor, body=known_error.workaround)
    else:
        desk.add_note(ticket, actor=actor, body=words)
    return use


@KNOWN_ERROR_ACTIONS.action("fixed-it", label="This fixed it", form=forms.FixedItForm,
                            permission="view", who=DESK, returns=KnownErrorUse,
                            success=lambda use: f"Recorded: {use.known_error.reference} "
                                                f"{'fixed' if use.fixed else 'did not fix'} "
                                                f"{use.ticket.reference}.")
def fixed_it(known_error: KnownError, *, actor, ticket: Ticket, fixed: bool = True
             ) -> KnownErrorUse:
    """Record whether the known error's workaround fixed the ticket; each ticket counts
    once towards how often it fixes one."""
    use, _ = _use(known_error, ticket, actor)
    if use.fixed != fixed:
        use = services.update_record(use, actor=actor, data={"fixed": fixed},
                                     expected_version=None)
    # Counted from the uses, so a correction made elsewhere is caught up here.
    KnownError.objects.filter(pk=known_error.pk).update(
        fixed_count=KnownErrorUse.objects.filter(known_error=known_error, fixed=True).count())
    return use


