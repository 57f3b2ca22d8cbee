from __future__ import annotations

from django.db import models

from borough.core import scope


class ScopedQuerySet(models.QuerySet):
    """The start of every read: `Model.objects.visible_to(user)`."""

    organisation_field = "organisation_id"

    def visible_to(self, user, action: str = "view"):
        org_ids = scope.organisation_ids(user, scope.permission_name(self.model, action))
        if not org_ids:
            return self.none()
        qs = self.filter(**{f"{self.organisation_field}__in": org_ids})
        return qs.apply_object_rules(user)

    def apply_object_rules(self, user):
        """Narrow further by per-record rules (own tickets, restricted records)."""
        return self

    def for_organisation(self, organisation):
        return self.filter(**{self.organisation_field: getattr(organisation, "pk", organisation)})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
