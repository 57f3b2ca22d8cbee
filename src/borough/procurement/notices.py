"""What procurement tells approvers and a request's people of (core.notifications). The
emails use Borough's default wording; a council's template may use these values besides
the common ones (the request's reference, title and status...)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

STEP = {"value": "The business case's value, such as £12,500.00",
        "step": "The approval step deciding it, such as “2, Head of ICT”"}

EVENTS = (
    NotificationEvent("procurement-approval-due", "Procurement request waits for approval",
                      context={**STEP, "approvals_needed": "How many approvals the step "
                                                           "needs"}),
    NotificationEvent("procurement-approval-reminder", "Procurement request still waits for "
                      "approval (reminder)",
                      context={**STEP, "waiting_since": "The day the step started deciding",
                               "days_waiting": "How many days it has waited"}),
    NotificationEvent("procurement-approval-delegated", "Procurement approval delegated to "
                      "you", context={**STEP, "delegated_by": "Who delegated their decision",
                                      "note": "Their note, or blank"}),
    NotificationEvent("procurement-approval-withdrawn", "Procurement request no longer waits "
                      "for your approval"),
    NotificationEvent("procurement-decided", "Procurement request decided (to its requester "
                      "and owner)",
                      context={"decision": "What was decided: approved, refused or returned "
                                           "for changes",
                               "note": "The reason given, or blank"}),
)
