"""A service level agreement's lifecycle, declared once (core.lifecycle): a draft is
agreed — by the head of service named as its signatory, or by someone who keeps the
catalogue on their behalf — and Borough records who agreed it and when; an agreement
expires, or goes back to a draft to be revised and agreed again."""

from __future__ import annotations

from django.utils import timezone

from borough.catalogue.models import PRIORITIES, AgreementStatus, ServiceLevelAgreement
from borough.core.lifecycle import EditTakes, Lifecycle, Move, Transition, Who, model_permission

KEEPERS = model_permission("change", "people who keep the service catalogue")
SIGNATORY = Who("the head of service named as its signatory",
                lambda actor, sla: bool(sla.signatory_id) and sla.signatory.user_id == actor.pk,
                refusal="Only the agreement's signatory, or someone who keeps the service "
                        "catalogue, can agree it.")


def ready_to_agree(sla: ServiceLevelAgreement, actor) -> list[str] | None:
    """What the agreement needs before it can be agreed, in words."""
    missing = []
    if not sla.signatory_id:
        missing.append("Name the head of service who signs it (signatory).")
    if not sla.start_date:
        missing.append("Give the date it starts.")
    if not sla.review_date:
        missing.append("Give the date it must be reviewed.")
    elif sla.review_date <= timezone.localdate():
        missing.append("Give a review date in the future.")
    if sla.availability_target is None and not any(
            response is not None or resolution is not None
            for _, response, resolution in sla.target_rows()):
        missing.append("Give at least one target: availability, or a response or "
                       "resolution time.")
    return ["This agreement cannot be agreed yet.", *missing] if missing else None


def stamp_agreement(move: Move) -> None:
    move.record.agreed_by = move.actor if getattr(move.actor, "pk", None) else None
    move.record.agreed_at = move.now


def clear_agreement(move: Move) -> None:
    # A draft is not agreed by anyone; the audit history keeps who agreed the last one.
    move.record.agreed_by = None
    move.record.agreed_at = None


# What the head of service signed: changing any of it on an agreed agreement returns it
# to draft, to be agreed again (EditTakes; the words name what changed in the audit note).
SIGNED_TERMS = {
    "availability_target": "targets",
    **{f"p{p}_{kind}_hours": "targets" for p in PRIORITIES for kind in ("response",
                                                                          "resolution")},
    "service_hours": "service hours", "service_hours_note": "service hours",
    "ict_contact": "contacts", "customer_contact": "contacts", "signatory": "signatory",
    "service": "service", "customer_service_unit": "customer",
    "start_date": "dates", "review_date": "dates", "notes": "notes",
}

SLA = Lifecycle(ServiceLevelAgreement, "status", on_edit=[
    EditTakes("redraft", (AgreementStatus.AGREED,), SIGNED_TERMS),
], transitions=[
    Transition("agree", "Agree", (AgreementStatus.DRAFT,), AgreementStatus.AGREED,
               who=SIGNATORY | KEEPERS, guards=(ready_to_agree,), after=(stamp_agreement,),
               refusal="Only a draft can be agreed; {reference} is {state}.",
               conditions="a signatory, a start date, a review date in the future and at "
                          "least one target"),
    Transition("expire", "Mark as expired", (AgreementStatus.AGREED,), AgreementStatus.EXPIRED,
               who=KEEPERS, refusal="Only an agreed agreement can expire; {reference} is "
                                    "{state}."),
    Transition("redraft", "Reopen as a draft", (AgreementStatus.AGREED, AgreementStatus.EXPIRED),
               AgreementStatus.DRAFT, who=KEEPERS, after=(clear_agreement,),
               refusal="{reference} is already a draft.",
               conditions="to revise it; it must then be agreed again"),
])
