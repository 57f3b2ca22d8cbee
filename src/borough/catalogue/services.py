"""Writes for the catalogue beyond create, change and delete (which go through
core.services, the rules being in the models' clean()): a service level agreement's
record actions — agree, expire, reopen as a draft — and the reminders of agreements'
review dates."""

from __future__ import annotations

from borough.catalogue.forms import NoteForm
from borough.catalogue.lifecycle import SLA
from borough.catalogue.models import (
    AgreementStatus,
    OperationalLevelAgreement,
    ServiceLevelAgreement,
)
from borough.core import notifications, reminders, scope
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


# --- review reminders ----------------------------------------------------------------------

# How long before an agreement's review date its service owner is first told.
REVIEW_REMIND_DAYS = 30


def _recipients(agreement, people) -> tuple[list, list]:
    """Signed-in users to notify (in-app and email) and people to email: the service
    owner however reachable, and the agreement's contacts who have a login that reads it."""
    view = scope.permission_name(type(agreement), "view")
    users, emailed = [], []
    owner = agreement.service.owner if agreement.service_id else None
    user, person = reminders.reachable(owner, agreement.organisation_id, view)
    users.append(user)
    emailed.append(person)
    for contact in people:
        user, _ = reminders.reachable(contact, agreement.organisation_id, view)
        users.append(user)  # a contact without a login is not emailed: they are not users
    return [u for u in users if u is not None], [p for p in emailed if p is not None]


def _remind_review(agreement, stage: str, on, *, kind: str, contacts, what_to_do: str) -> None:
    users, people = _recipients(agreement, contacts)
    due = agreement.review_date
    when = reminders.in_words(due, on)
    verb = "was" if stage == reminders.PASSED else "is"
    subject = f"{kind.capitalize()} {agreement} {verb} due for review {when}"
    service = agreement.service.name if agreement.service_id else "its service"
    notifications.notify(
        users, people=people, organisation_id=agreement.organisation_id,
        event="agreement-review-due", subject=subject,
        context={**reminders.dates_context(due, on), "kind": kind, "service": service},
        body=(f"The {kind} for {service} is to be reviewed by {due:%-d %B %Y}. "
              f"{what_to_do}"),
        url=agreement.get_absolute_url(), thread=agreement)


def _remind_sla(sla: ServiceLevelAgreement, stage: str, on) -> None:
    signatory = sla.signatory.full_name if sla.signatory_id else "its signatory"
    _remind_review(sla, stage, on, kind="service level agreement",
                   contacts=(sla.ict_contact, sla.customer_contact),
                   what_to_do=(f"Review it with {signatory}: reopen it as a draft, revise its "
                               "targets and dates, and agree it again; or mark it as "
                               "expired."))


def _remind_ola(ola: OperationalLevelAgreement, stage: str, on) -> None:
    _remind_review(ola, stage, on, kind="operational level agreement", contacts=(),
                   what_to_do="Review it with the providing and receiving teams, then "
                              "record what they agree and its next review date.")


_PEOPLE = ("service__owner__user", "signatory", "ict_contact__user", "customer_contact__user")

SLA_REVIEW = reminders.DateReminder(
    records=lambda on: ServiceLevelAgreement.objects.filter(status=AgreementStatus.AGREED)
    .select_related(*_PEOPLE),
    date_field="review_date", within_days=REVIEW_REMIND_DAYS, send=_remind_sla)
OLA_REVIEW = reminders.DateReminder(
    records=lambda on: OperationalLevelAgreement.objects.filter(status=AgreementStatus.AGREED)
    .select_related("service__owner__user", "provider_team", "receiving_team"),
    date_field="review_date", within_days=REVIEW_REMIND_DAYS, send=_remind_ola)


def remind_agreement_reviews(now=None) -> int:
    """The daily job: tell each agreed SLA's and OLA's service owner (and an SLA's contacts
    who have a login) when its review date is within REVIEW_REMIND_DAYS days, and again
    when it has passed, each once per review date (core.reminders). How many were sent."""
    return reminders.run(SLA_REVIEW, now) + reminders.run(OLA_REVIEW, now)


# --- recovery objectives ------------------------------------------------------------------

def set_recovery_objectives(service, *, actor, rto_hours, rpo_hours, mto_hours,
                            note: str = ""):
    """Make these the service's recovery time objective, recovery point objective and
    maximum tolerable outage (an approved business impact analysis's, docs/continuity.md),
    through core.services: the actor's right to change the service, its rules (the RTO not
    longer than the MTO), the lock and the audit history with `note`."""
    from borough.core import services as core_services

    return core_services.update_record(
        service, actor=actor, expected_version=None, note=note,
        data={"rto_hours": rto_hours, "rpo_hours": rpo_hours, "mto_hours": mto_hours})
