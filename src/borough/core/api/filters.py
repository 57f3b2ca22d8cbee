from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from borough.core import restricted


class AllowlistedOrderingFilter(OrderingFilter):
    """`?ordering=` accepts only the fields a viewset lists; anything else is a 400."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            allowed = {f for f, _ in self.get_valid_fields(queryset, view, {"request": request})}
            # Not by a field the caller's role may not see (core.restricted).
            allowed -= restricted.hidden_columns(queryset.model, request.user)
            wanted = [p.strip() for p in params.split(",") if p.strip()]
            bad = [p for p in wanted if p.lstrip("-") not in allowed]
            if bad:
                raise ValidationError(
                    {self.ordering_param: f"Cannot sort by {', '.join(bad)}. "
                     f"Choose from: {', '.join(sorted(allowed))}."}
                )
            return wanted
        return self.get_default_ordering(view)
