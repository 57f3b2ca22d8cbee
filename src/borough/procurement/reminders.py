"""Reminders to approvers who let a request wait (core.reminders): when a step of a
request's route has been deciding for its `remind_after_days` (set per council step,
copied to the route when submitted), the approvers of that step who have not yet decided
are told once, in Borough and by email. Once per step: the ReminderSent row is keyed by
the route step and the day its reminder fell due, so a second run, or a second worker,
sends nothing more; a request submitted again is a new route, reminded afresh."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import F
from django.utils import timezone

from borough.core import approvals, notifications, reminders
from borough.core.money import format_pounds
from borough.procurement.lifecycle import approver_users
from borough.procurement.models import WAITING, RouteStep, StepState


def reminder_due(step: RouteStep, on: date) -> date | None:
    """The day the step's approvers are reminded: it started plus its days; None without."""
    if step.remind_after_days is None or step.started_at is None:
        return None
    return timezone.localdate(step.started_at) + timedelta(days=step.remind_after_days)


def waiting_steps(on: date):
    return (RouteStep.objects.filter(state=StepState.CURRENT, request__status__in=WAITING,
                                     remind_after_days__isnull=False,
                                     request__current_step=F("pk"))
            .select_related("request__requester").order_by("pk"))


def send(step: RouteStep, stage: str, on: date) -> None:
    request = step.request
    voted = {v.voter_id for v in approvals.current_votes(request, "approve")}
    requester = request.requester.user_id if request.requester_id else None
    users = [u for u in approver_users(step, request.organisation_id)
             if u.pk not in voted and u.pk != requester]
    days = (on - timezone.localdate(step.started_at)).days
    value = format_pounds(request.value)
    notifications.notify(
        users, organisation_id=request.organisation_id, event="procurement-approval-reminder",
        context={"value": value, "step": f"{step.position}, {step.name}",
                 "waiting_since": f"{timezone.localdate(step.started_at):%-d %B %Y}",
                 "days_waiting": days},
        subject=(f"Reminder: {request.reference} has waited {days} day{'' if days == 1 else 's'}"
                 f" for your approval: {request.title} ({value})"),
        body=(f"Step {step.position}, {step.name}, has been deciding this business case for "
              f"{value} since {timezone.localdate(step.started_at):%-d %B %Y}. Read it, then "
              "approve it, return it for changes or refuse it. If you are away, delegate "
              "your decision to a deputy from the request's page."),
        url=request.get_absolute_url(), thread=request)


APPROVAL_REMINDER = reminders.DateReminder(records=waiting_steps, date_of=reminder_due,
                                           send=send, two_stages=False)


def remind_approvers(now: datetime | None = None) -> int:
    """The daily job: remind the approvers of each step that has waited its days, once.
    How many steps were reminded."""
    return reminders.run(APPROVAL_REMINDER, now)
