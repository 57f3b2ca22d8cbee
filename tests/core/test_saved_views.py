"""Saved views and column choice (core.saved_views): one's own, a team's written only by
its leads (or by those who may share with any team), names unique where they show,
the page and tokens never saved, columns checked against the list's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core import roles, saved_views
from borough.core.models import ListPreference, SavedView
from tests.conftest import make_member
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

TICKETS = "servicedesk.ticket"
KNOWN = [c.key for c in saved_views.columns_of(TICKETS)]


def save(user, name="Mine", **kwargs):
    kwargs.setdefault("query", "queue=all&status=new&page=3&view=9")
    kwargs.setdefault("columns", ["priority", "reference"])
    return saved_views.save_view(user, list_key=TICKETS, name=name, known_columns=KNOWN,
                                 **kwargs)


def test_a_view_keeps_the_filters_and_sort_but_not_the_page(desk):  # noqa: F811
    view = save(desk.agent, query="queue=all&status=new&sort=-priority&page=3&view=9")
    assert view.query == "queue=all&status=new&sort=-priority"
    assert view.columns == ["reference", "priority"]  # the list's order
    assert view.owner == desk.agent and view.team is None
    assert saved_views.views_for(desk.agent, TICKETS) == [view]
    assert saved_views.views_for(desk.lead, TICKETS) == []  # another's own view


def test_names_are_needed_and_unique_per_owner(desk):  # noqa: F811
    save(desk.agent, "Printers")
    with pytest.raises(ValidationError, match="already have a view called"):
        save(desk.agent, "printers")
    with pytest.raises(ValidationError, match="Enter a name"):
        save(desk.agent, "   ")
    save(desk.lead, "Printers")  # someone else's name is theirs


def test_unknown_columns_are_refused_with_the_choices(desk):  # noqa: F811
    with pytest.raises(ValidationError, match="Unknown column colour. Choose from: reference"):
        save(desk.agent, columns=["colour"])


def test_only_a_lead_shares_with_the_team_and_members_see_it(desk):  # noqa: F811
    with pytest.raises(PermissionDenied):
        save(desk.agent, "Team view", team=desk.team)
    view = save(desk.lead, "Team view", team=desk.team)
    assert view.owner is None
    assert [v.pk for v in saved_views.views_for(desk.agent, TICKETS)] == [view.pk]
    with pytest.raises(PermissionDenied):
        saved_views.update_view(view, desk.agent, known_columns=KNOWN, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_views.delete_view(view, desk.agent)
    saved_views.update_view(view, desk.lead, known_columns=KNOWN, name="Renamed")
    assert SavedView.objects.get(pk=view.pk).name == "Renamed"


def test_a_manager_shares_with_any_team_and_outsiders_do_not_see_it(desk):  # noqa: F811
    manager = make_member(desk.org, roles.ICT_MANAGER, "manager")
    manager.active_organisation_id = desk.org.pk
    view = save(manager, "For the desk", team=desk.team)
    assert saved_views.views_for(manager, TICKETS) == []  # not a member of the team
    assert saved_views.views_for(desk.lead, TICKETS) == [view]
    saved_views.delete_view(view, manager)
    assert not SavedView.objects.exists()


def test_a_person_chooses_their_columns_once_per_list(desk):  # noqa: F811
    assert saved_views.columns_for(desk.agent, TICKETS) is None
    assert "requester" in saved_views.shown_columns(TICKETS, None)
    assert "team" not in saved_views.shown_columns(TICKETS, None)
    saved_views.set_columns(desk.agent, TICKETS, ["team"], KNOWN)
    saved_views.set_columns(desk.agent, TICKETS, ["team", "status"], KNOWN)
    assert ListPreference.objects.count() == 1
    assert saved_views.columns_for(desk.agent, TICKETS) == ["status", "team"]
    shown = saved_views.shown_columns(TICKETS, ["team"])
    assert shown == ["reference", "title", "team", "resolution_due_at"]  # required kept
    with pytest.raises(ValidationError, match="at least one"):
        saved_views.set_columns(desk.agent, TICKETS, [], KNOWN)


def test_a_generic_list_offers_its_table_columns(desk):  # noqa: F811
    columns = saved_views.columns_of("organisation.team")
    assert columns and columns[0].required and not any(c.required for c in columns[1:])
    assert saved_views.columns_of("no.such") == []
