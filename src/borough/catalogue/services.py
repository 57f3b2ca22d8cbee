"""Writes for the catalogue beyond create, change and delete (which go through
core.services, the rules being in the models' clean()): a service level agreement's
record actions — agree, expire, reopen as a draft."""

from __future__ import annotations

from borough.catalogue.forms import NoteForm
from borough.catalogue.lifecycle import SLA
from borough.catalogue.models import ServiceLevelAgreement
from borough.core.actions import Actions

SLA_ACTIONS = Actions(ServiceLevelAgreement, lifecycle=SLA)

# "view": a head of service who signs needs no right to edit the catalogue; the
# transition's `who` decides (the signatory, or people who keep the catalogue).
agree = SLA_ACTIONS.add(
    "agree", label="Agree", form=NoteForm, transition="agree", permission="view",
    audit_note="Agreed.", success=lambda sla: f"{sla.reference} is agreed.")
expire = SLA_ACTIONS.add(
    "expire", label="Mark as expired", form=NoteForm, transition="expire",
    success=lambda sla: f"{sla.reference} has expired.")
redraft = SLA_ACTIONS.add(
    "redraft", label="Reopen as a draft", form=NoteForm, transition="redraft",
    success=lambda sla: f"{sla.reference} is a draft again.")
