"""Writes for organisations: creating a council sets up its calendar."""

from __future__ import annotations

from django.db import transaction

from borough.core import audit, services
from borough.core.models import AuditAction
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
