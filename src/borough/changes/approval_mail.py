"""Votes by email: each seat holder is asked by a notification carrying a code made for
them, this change and this round of votes; they answer with APPROVE, REJECT or ABSTAIN on
the reply's first line. The reply reaches this module's inbound handler (core.inbound,
order 50: before the service desk, which would make a ticket of it), which casts the vote
through the same service as the page (services.vote), with the same checks.

Refused, and kept in the email quarantine with the reason (mail records every message):
a reply without a command; one from an address with no login; one whose code is missing
or was not made for the sender (forged: a From header is easy to write, the code reached
only the member's own mailbox); one from someone with no seat on the board; one after
the board decided (or for an earlier round); and anything the service refuses."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from borough.accounts import queries as accounts
from borough.changes.models import Change, Status, VoteChannel, VoteDecision
from borough.core import notifications
from borough.core.inbound import Action, Handled, InboundHandler, InboundMail

SALT = "borough.changes.cab-vote"
CODE = re.compile(r"\bCAB-([0-9a-f]{24})\b", re.IGNORECASE)
REFERENCE = re.compile(r"\[(CHG-\d{1,12})\]", re.ASCII)
COMMAND = re.compile(r"^\s*(approved?|reject(?:ed)?|abstain)\b[\s:.,-]*(.*)$",
                     re.IGNORECASE | re.DOTALL)
DECISIONS = {"approve": VoteDecision.APPROVE, "approved": VoteDecision.APPROVE,
             "reject": VoteDecision.REJECT, "rejected": VoteDecision.REJECT,
             "abstain": VoteDecision.ABSTAIN}
CHANGE = Change._meta.label_lower


def code_for(change: Change, user, round_: int | None = None) -> str:
    """The code that lets `user` vote by email on this round of `change`."""
    value = f"{change.organisation_id}:{change.pk}:{change.round if round_ is None else round_}:{user.pk}"
    return "CAB-" + salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:24]


def ask(change: Change, user, seat, *, actor) -> None:
    """Tell one seat holder the change waits for their vote, with their code."""
    role = "as deputy for " + seat.member.full_name if seat.member.user_id != user.pk else ""
    window = planned = ""
    if change.planned_start and change.planned_end:
        from borough.changes.queries import _when

        planned = f"{_when(change.planned_start)} to {_when(change.planned_end)}"
        window = f"Window: {planned}.\n"
    risk = change.get_risk_level_display() or "not assessed"
    impact = change.get_impact_level_display() or "not given"
    code = code_for(change, user)
    notifications.notify(
        [user], organisation_id=change.organisation_id, event="change-authorisation-due",
        subject=f"{change.reference} waits for your vote: {change.title}",
        body=(f"{change.get_change_type_display()} change {change.reference} waits for the "
              f"{change.board}'s decision{' ' + role if role else ''}.\n"
              f"Risk: {risk}. Impact: {impact}.\n{window}\n"
              "Vote in Borough, or reply to this email with APPROVE, REJECT or ABSTAIN on the "
              "first line (anything after it is your note). Keep this line in your reply:\n"
              f"Approval code: {code}"),
        url=reverse("changes:change_detail", args=[change.pk]), thread=change,
        context={"change_type": change.get_change_type_display(), "board": change.board,
                 "risk": risk, "impact": impact, "window": planned, "approval_code": code})


def matched_change(message: InboundMail) -> Change | None:
    """The change the message answers: by the emails it replies to, then by a reference
    in square brackets in its subject. Only the mailbox's organisation's."""
    changes = Change.objects.filter(organisation_id=message.organisation_id)
    for label, pk in message.answers:
        if label == CHANGE:
            found = changes.filter(pk=pk).first()
            if found is not None:
                return found
    match = REFERENCE.search(message.subject or "")
    return changes.filter(reference=match.group(1)).first() if match else None


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip() and not line.lstrip().startswith(">"):
            return line
    return ""


def _note(text: str, rest: str) -> str:
    """What follows the command: the rest of its line and the lines below it, less the
    quoted email and the code line."""
    lines = [rest.strip()]
    started = False
    for line in (text or "").splitlines():
        if not started:
            started = bool(line.strip()) and not line.lstrip().startswith(">")
            continue
        if line.lstrip().startswith(">") or line.startswith("On ") and line.rstrip().endswith(
                "wrote:"):
            break
        if CODE.search(line):
            continue
        lines.append(line)
    return "\n".join(lines).strip()[:2000]


def handle(message: InboundMail) -> Handled | None:
    change = matched_change(message)
    if change is None:
        return None  # not about a change: the next handler is asked
    if message.automatic:
        return Handled.noted(change)
    command = COMMAND.match(_first_line(message.text))
    if command is None:
        return Handled.refused(
            f"A reply about {change.reference} without APPROVE, REJECT or ABSTAIN on its "
            "first line: no vote was cast.")
    if change.status != Status.AUTHORISATION:
        return Handled.refused(
            f"A vote by email on {change.reference} after the decision: it is "
            f"{change.get_status_display().lower()}, so the vote was not counted.")
    users = accounts.active_users_with_email(message.sender)
    if not users:
        return Handled.refused(
            f"A vote by email on {change.reference} from {message.sender}, who has no login "
            "to Borough and no seat on its board: not counted.")
    found = CODE.search(message.text or "")
    given = f"CAB-{found.group(1).lower()}" if found else ""
    voter = next((u for u in users if given and constant_time_compare(
        given, code_for(change, u))), None)
    if voter is None:
        earlier = given and any(constant_time_compare(given, code_for(change, u, r))
                                for u in users for r in range(1, change.round))
        if earlier:
            return Handled.refused(
                f"A vote by email on {change.reference} answering an earlier round of votes "
                "(the change was sent back and put to the board again): not counted.")
        return Handled.refused(
            f"A vote by email on {change.reference} from {message.sender} whose approval "
            "code is missing or was not sent to that address (possibly forged): not counted.")
    from borough.changes import services

    decision = DECISIONS[command.group(1).lower()]
    try:
        services.vote(change, actor=voter, decision=decision,
                      note=_note(message.text, command.group(2)), channel=VoteChannel.EMAIL)
    except (ValidationError, PermissionDenied) as exc:
        words = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return Handled.refused(f"A vote by email on {change.reference} from "
                               f"{message.sender} was refused: {words}")
    return Handled(Action.ADDED, change,
                   reason=f"{VoteDecision(decision).label} by email from {voter}.")


HANDLER = InboundHandler("Change approvals", handle, order=50)
