"""Human reference numbers (INC-000123), unique per organisation, safe under concurrency."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from borough.core.models import ReferenceCounter


def allocate(organisation_id: int, prefix: str, width: int = 6) -> str:
    """Take the next number for `prefix`; the counter row stays locked until commit."""
    with transaction.atomic():
        for _ in range(3):
            updated = ReferenceCounter.objects.filter(
                organisation_id=organisation_id, prefix=prefix
            ).update(last_value=F("last_value") + 1)
            if updated:
                break
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(
                        organisation_id=organisation_id, prefix=prefix, last_value=1
                    )
                break
            except IntegrityError:
                continue  # another writer created it first; increment theirs
        value = ReferenceCounter.objects.get(
            organisation_id=organisation_id, prefix=prefix
        ).last_value
    return f"{prefix}-{value:0{width}d}"
