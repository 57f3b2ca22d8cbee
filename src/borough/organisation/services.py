"""Writes for organisations: creating a council sets up its calendar."""

from __future__ import annotations

from django.db import transaction

from borough.core import services
from borough.organisation.models import DEFAULT_WORKING_HOURS, Organisation, WorkingPeriod


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
