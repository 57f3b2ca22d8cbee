"""Votes on transitions that need approval by several people (core.lifecycle.Approval).

A record action whose transition declares an approval does not move the record at once:
each approver's vote is recorded (one current vote per person), and the transition is
applied, with its effects, by the vote that reaches the quorum. A rejection moves the
record along the approval's rejection transition, if it declares one. Votes count only
for the record's current stay in the source state (`close_votes` when it leaves)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from borough.core import audit
from borough.core.models import ApprovalVote, AuditAction, Vote


@dataclass(frozen=True)
class Tally:
    approvals: int
    rejections: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.approvals >= self.needed


def _votes(record, transition_name: str | None = None):
    votes = ApprovalVote.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
        is_current=True)
    return votes.filter(transition=transition_name) if transition_name else votes


def tally(record, transition) -> Tally:
    decisions = list(_votes(record, transition.name).values_list("decision", flat=True))
    return Tally(decisions.count(Vote.APPROVE), decisions.count(Vote.REJECT),
                 transition.approval.needed(record))


def current_votes(record, transition_name: str) -> list[ApprovalVote]:
    return list(_votes(record, transition_name).select_related("voter"))


def record_vote(record, transition, *, actor, decision: str, note: str = "") -> Tally:
    """Record `actor`'s vote in the caller's transaction (the record's row is locked, so
    votes on one record queue and the one that reaches the quorum is known)."""
    if decision not in Vote.values:
        raise ValidationError({"decision": "Choose approve or reject."})
    if actor is None:
        raise ValidationError("Only a person can approve.")
    if _votes(record, transition.name).filter(voter=actor).exists():
        raise ValidationError("You have already voted on this. Each approver votes once.")
    ApprovalVote.objects.create(
        organisation_id=record.organisation_id,
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
        transition=transition.name, voter=actor, decision=decision, note=note,
        created_by=actor, updated_by=actor)
    counted = tally(record, transition)
    audit.record(record, AuditAction.EVENT, actor=actor,
                 changes={"approval": [None, f"{Vote(decision).label}: {counted.approvals} of "
                                             f"{counted.needed} approvals"]},
                 note=note or f"{transition.label}: {Vote(decision).label.lower()}.")
    return counted


def close_votes(record) -> int:
    """The record left the state its votes were cast in: they stop counting."""
    return _votes(record).update(is_current=False)
