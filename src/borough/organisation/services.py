"""Writes for organisations: creating a council sets up its calendar; people added to the
directory from outside a form (an email from someone unknown, a confirmed address)."""

from __future__ import annotations

from django.db import transaction

from borough.core import audit, services
from borough.core.models import AuditAction
from borough.core.registry import registry
from borough.organisation.models import (
    DEFAULT_WORKING_HOURS,
    Organisation,
    Person,
    WorkingPeriod,
)


def create_organisation(*, actor, name: str, code: str, nation: str, **extra) -> Organisation:
    with transaction.atomic():
        organisation = services.create_record(
            Organisation(name=name, code=code, nation=nation, **extra), actor=actor
        )
        for weekday, start, end in DEFAULT_WORKING_HOURS:
            services.create_record(
                WorkingPeriod(organisation=organisation, weekday=weekday, start=start, end=end),
                actor=None,
            )
        for set_up in registry.organisation_setup:
            set_up(organisation, actor=actor)
    return organisation


def set_email_for_user(user, *, actor, email: str, note: str = "") -> list[Person]:
    """Give every directory entry linked to `user` (one per organisation at most) the
    address `email`, audited on each person, in the caller's transaction.

    Called when a user's own email change is confirmed: the account holder may change
    their own entries' address though their role may not edit people, so this is not
    `services.update_record`, which checks the role. The people are found by their link
    to the account, not through `visible_to`: the change follows the account into every
    organisation it belongs to, and nothing is shown to anyone."""
    changed = []
    with transaction.atomic():
        for person in Person.objects.select_for_update().filter(user=user).order_by("pk"):
            if person.email == email:
                continue
            before = person.email
            person.email = email
            person.full_clean(validate_unique=False, validate_constraints=False)
            person.version += 1
            person.updated_by = actor if getattr(actor, "pk", None) else None
            person.save(update_fields=["email", "version", "updated_by", "updated_at"])
            audit.record(person, AuditAction.UPDATE, actor=actor,
                         changes={"email": [before, email]}, note=note)
            changed.append(person)
    return changed


def add_person_from_email(organisation_id: int, *, actor, email: str, full_name: str = ""
                          ) -> Person:
    """Add someone who wrote to the organisation's mailbox, unknown to its directory, as a
    contact: their address, and the name their mail client gave (else the address's
    local part). Audited as added from an email, so the directory's history shows where
    the entry came from. An address the directory would not store is a ValidationError.
    `actor` None: the mail system itself."""
    email = (email or "").strip().lower()
    name = " ".join((full_name or "").split())[:200] or email.split("@")[0][:200]
    return services.create_record(
        Person(organisation_id=organisation_id, email=email, full_name=name), actor=actor,
        note="Added from an email by an unknown sender")
