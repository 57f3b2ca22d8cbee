"""Applied filters in words, each with the link that takes off just that one."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from borough.core.filters import applied_filters
from borough.servicedesk.filters import TicketFilterSet
from borough.servicedesk.models import Ticket
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_each_value_in_words_with_a_link_that_removes_it(rf, member, org_a):
    from borough.core import roles

    team = TeamFactory(organisation=org_a, name="Infrastructure")
    params = QueryDict(mutable=True)
    params.setlist("status", ["new", "in-progress"])
    params.update({"team": str(team.pk), "breached": "true", "q": "printer",
                   "queue": "all", "page": "3"})
    request = rf.get("/", params)
    request.user = member(roles.AGENT)
    filterset = TicketFilterSet(params, queryset=Ticket.objects.all(), request=request)

    tags = applied_filters(filterset, params)

    by_label = {t["label"]: QueryDict(t["url"][1:]) for t in tags}
    assert set(by_label) == {"Status: New", "Status: In progress", "Team: Infrastructure",
                             "SLA breached: Yes", "Reference or words in the title: printer"}
    without_new = by_label["Status: New"]
    assert without_new.getlist("status") == ["in-progress"]
    assert without_new["queue"] == "all" and "page" not in without_new  # back to page 1
    assert "team" not in by_label["Team: Infrastructure"]


def test_nothing_applied_and_invalid_values_show_no_tags(rf):
    empty = QueryDict("")
    assert applied_filters(TicketFilterSet(None, queryset=Ticket.objects.none()), empty) == []
    bad = QueryDict("status=nonsense")
    assert applied_filters(TicketFilterSet(bad, queryset=Ticket.objects.none()), bad) == []
