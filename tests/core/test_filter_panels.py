"""core.perf.panels: a filter form's fields drawn once per process for the same inputs
give the HTML drawing them each time gives, for unbound, bound, invalid and renamed
choices; a second drawing reads the choices once and draws nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from borough.commercial.filters import RenewalsFilterSet
from borough.commercial.models import Contract
from borough.core import roles
from borough.core.perf import panels
from tests.commercial.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def form_for(query: str, user):
    data = QueryDict(query) if query else None
    filterset = RenewalsFilterSet(data, request=type("R", (), {"user": user})(),
                                  queryset=Contract.objects.visible_to(user))
    if filterset.is_bound:
        filterset.is_valid()
    return filterset.form


def drawn(form) -> str:
    return "".join(field.as_field_group() for field in form)


def test_kept_fields_are_the_fields_drawn(org_a, member):
    user = member(roles.ICT_MANAGER)
    user.active_organisation_id = org_a.pk
    unit4 = SupplierFactory(organisation=org_a, name="Unit4")
    SupplierFactory(organisation=org_a, name="Civica")
    for query in ("", f"supplier={unit4.pk}", "supplier=999999", "kind=nonsense&owner=x",
                  f"supplier={unit4.pk}&kind=maintenance"):
        assert panels.fields_html(form_for(query, user)) == drawn(form_for(query, user))
        form = form_for(query, user)
        with CaptureQueriesContext(connection) as kept:
            again = panels.fields_html(form)
        assert again == drawn(form_for(query, user))
        # The two record choices read once each to make the key; nothing drawn.
        assert len(kept.captured_queries) == 2
    # A renamed supplier is another key: the new name is drawn.
    unit4.name = "Unit4 Business Software"
    unit4.save()
    assert "Unit4 Business Software" in panels.fields_html(form_for("", user))


def test_a_second_filterset_of_the_same_kind_is_drawn_from_the_first(org_a, member):
    # django-filter makes a form class for each filterset: the key does not hold it.
    user = member(roles.ICT_MANAGER)
    user.active_organisation_id = org_a.pk
    SupplierFactory(organisation=org_a, name="Unit4")
    first = panels.fields_html(form_for("", user))
    assert panels.fields_html(form_for("", user)) is first
