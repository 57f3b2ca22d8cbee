"""A problem's lifecycle through its services: raising from incidents, each transition and
its refusals in words, who may, the known error it publishes, resolving its incidents with
it, and the known error's uses on tickets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core import services as core_services
from borough.problems import services
from borough.problems.models import KnownError, KnownErrorUse, Origin, Problem, Status
from borough.servicedesk.models import EntryKind, TimelineEntry
from borough.servicedesk.models import Status as TicketStatus
from tests.factories import CategoryFactory, CauseCategoryFactory, ConfigurationItemFactory
from tests.problems.conftest import raise_incident

pytestmark = pytest.mark.django_db


def new_problem(desk, incidents=(), **fields) -> Problem:
    return services.raise_problem(
        Problem(organisation_id=desk.org.pk, title="Council chamber Wi-Fi drops", **fields),
        actor=desk.agent, incidents=incidents)


def test_a_problem_raised_from_incidents_links_them_and_notes_it_on_each(desk):
    first, second = raise_incident(desk), raise_incident(desk)
    problem = new_problem(desk, incidents=[first, second])
    assert problem.reference.startswith("PRB-")
    assert problem.origin == Origin.INCIDENTS and problem.status == Status.LOGGED
    assert set(problem.incidents.values_list("ticket_id", flat=True)) == {first.pk, second.pk}
    note = TimelineEntry.objects.filter(ticket=first, kind=EntryKind.NOTE).last()
    assert problem.reference in note.body


def test_a_service_request_cannot_be_linked(desk):
    request = raise_incident(desk, ticket_type="request")
    with pytest.raises(ValidationError, match="Only this council's incidents"):
        new_problem(desk, incidents=[request])
    assert not Problem.objects.exists()


def test_recording_a_known_error_needs_a_workaround_and_publishes_one(desk):
    category = CategoryFactory(organisation=desk.org, name="Wi-Fi")
    ci = ConfigurationItemFactory(organisation=desk.org)
    incident = raise_incident(desk, category=category)
    problem = new_problem(desk, incidents=[incident])
    problem.cis.add(ci)
    with pytest.raises(ValidationError, match="no workaround yet"):
        services.record_known_error(problem, actor=desk.agent)
    assert Problem.objects.get(pk=problem.pk).status == Status.LOGGED
    problem = services.record_known_error(problem, actor=desk.agent,
                                          workaround="Join the guest network meanwhile.")
    assert problem.status == Status.KNOWN_ERROR and problem.known_error_at is not None
    known = KnownError.objects.get(problem=problem)
    assert known.workaround == "Join the guest network meanwhile."
    assert known.ci == ci and known.category == category and known.is_active


def test_resolving_needs_the_root_cause_and_its_category(desk):
    problem = new_problem(desk, workaround="Restart the access point.")
    problem = services.investigate(problem, actor=desk.agent)
    with pytest.raises(ValidationError, match="its root cause and the cause category"):
        services.resolve(problem, actor=desk.agent, note="New firmware.")
    problem = core_services.update_record(problem, actor=desk.agent, expected_version=None, data={
        "root_cause": "Access point firmware leaks memory.",
        "cause_category": CauseCategoryFactory(organisation=desk.org, name="Firmware")})
    problem = services.resolve(problem, actor=desk.agent, note="Firmware 8.10 installed.")
    assert problem.status == Status.RESOLVED
    assert problem.permanent_fix == "Firmware 8.10 installed."


def ready_to_resolve(desk, incidents) -> Problem:
    problem = new_problem(desk, incidents=incidents, root_cause="Firmware leak",
                          cause_category=CauseCategoryFactory(organisation=desk.org))
    return services.record_known_error(problem, actor=desk.agent, workaround="Restart it.")


def test_resolving_offers_to_resolve_its_open_incidents_and_retires_its_known_error(desk):
    open_one, other = raise_incident(desk), raise_incident(desk)
    done = raise_incident(desk)
    from borough.servicedesk import services as desk_services

    desk_services.resolve(done, actor=desk.agent, note="Restarted.")
    problem = ready_to_resolve(desk, [open_one, other, done])
    problem = services.resolve(problem, actor=desk.agent, note="Firmware replaced.",
                               resolve_incidents=True)
    assert problem.incidents_resolved == 2
    open_one.refresh_from_db()
    assert open_one.status == TicketStatus.RESOLVED
    assert problem.reference in open_one.resolution_note
    assert not KnownError.objects.get(problem=problem).is_active
    services.reopen(problem, actor=desk.agent, note="Drops came back.")
    assert Problem.objects.get(pk=problem.pk).status == Status.INVESTIGATING
    assert KnownError.objects.get(problem=problem).is_active


def test_resolving_without_asking_leaves_the_incidents_open(desk):
    incident = raise_incident(desk)
    problem = ready_to_resolve(desk, [incident])
    services.resolve(problem, actor=desk.agent, note="Fixed.", resolve_incidents=False)
    incident.refresh_from_db()
    assert incident.status != TicketStatus.RESOLVED


def test_closing_asks_for_the_review(desk):
    problem = services.resolve(ready_to_resolve(desk, []), actor=desk.agent, note="Fixed.")
    with pytest.raises(ValidationError):
        services.close(problem, actor=desk.agent, note="")
    problem = services.close(problem, actor=desk.agent,
                             note="Held for a month; firmware now on the patch list.")
    assert problem.status == Status.CLOSED and problem.review.startswith("Held")
    with pytest.raises(ValidationError, match="Only a resolved problem can be reopened"):
        services.reopen(problem, actor=desk.agent, note="Again.")


def test_a_logged_problem_cannot_be_resolved(desk):
    problem = new_problem(desk)
    with pytest.raises(ValidationError, match="Only a problem under investigation"):
        services.resolve(problem, actor=desk.agent, note="Fixed.")


@pytest.mark.parametrize("who", ["requester", "auditor"])
def test_those_who_do_not_work_problems_cannot_move_one(desk, auditor, who):
    problem = new_problem(desk)
    actor = auditor if who == "auditor" else desk.requester
    with pytest.raises(PermissionDenied):
        services.investigate(problem, actor=actor)
    assert Problem.objects.get(pk=problem.pk).status == Status.LOGGED


def test_the_team_lead_may_investigate(desk):
    problem = services.investigate(new_problem(desk), actor=desk.lead)
    assert problem.status == Status.INVESTIGATING


def test_linking_more_incidents_later_and_unlinking_one(desk):
    problem = new_problem(desk)
    first, second = raise_incident(desk), raise_incident(desk)
    services.link_incidents(problem, actor=desk.agent, incidents=[first, second])
    with pytest.raises(ValidationError, match="already linked"):
        services.link_incidents(problem, actor=desk.agent, incidents=[first])
    services.unlink_incident(problem, actor=desk.agent, incident=first)
    assert list(problem.incidents.values_list("ticket_id", flat=True)) == [second.pk]


def test_applying_a_known_error_notes_it_and_this_fixed_it_counts_once(desk):
    ticket = raise_incident(desk)
    known = services.record_known_error(new_problem(desk), actor=desk.agent,
                                        workaround="Forget the network and join again.")
    known = KnownError.objects.get(problem=known)
    use = services.apply(known, actor=desk.agent, ticket=ticket)
    assert not use.fixed
    note = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.NOTE).last()
    assert "Forget the network" in note.body and known.reference in note.body
    services.fixed_it(known, actor=desk.agent, ticket=ticket)
    services.fixed_it(known, actor=desk.agent, ticket=ticket)  # twice: counted once
    known.refresh_from_db()
    assert known.fixed_count == 1
    assert KnownErrorUse.objects.get(known_error=known, ticket=ticket).fixed


def test_applying_it_as_a_reply_tells_the_requester(desk):
    ticket = raise_incident(desk)
    known = KnownError.objects.get(problem=services.record_known_error(
        new_problem(desk), actor=desk.agent, workaround="Use the guest network."))
    services.apply(known, actor=desk.agent, ticket=ticket, send_to_requester=True)
    reply = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.REPLY).last()
    assert reply.body == "Use the guest network."


def test_only_desk_staff_apply_a_known_error(desk, auditor):
    ticket = raise_incident(desk)
    known = KnownError.objects.get(problem=services.record_known_error(
        new_problem(desk), actor=desk.agent, workaround="Restart."))
    with pytest.raises(PermissionDenied):
        services.apply(known, actor=auditor, ticket=ticket)
    assert not KnownErrorUse.objects.exists()
