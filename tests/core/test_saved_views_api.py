"""Saved views over the API (/api/core/saved-views/) and through the list pages' forms:
the same services, the same rules, clear 400s and 403s."""

from __future__ import annotations

import pytest

from borough.core.models import ListPreference, SavedView
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

URL = "/api/core/saved-views/"


def test_an_agent_saves_lists_and_deletes_a_view_over_the_api(desk, signed_in):  # noqa: F811
    client = signed_in(desk.agent, api=True)
    made = client.post(URL, {"list_key": "servicedesk.ticket", "name": "Mine",
                             "query": "queue=mine&page=2", "columns": ["team"]}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["query"] == "queue=mine" and made.json()["owner"] == desk.agent.pk
    listed = client.get(URL, {"list": "servicedesk.ticket"}).json()
    assert [v["name"] for v in listed["results"]] == ["Mine"]
    pk = made.json()["id"]
    renamed = client.patch(f"{URL}{pk}/", {"name": "Mine, renamed"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Mine, renamed"
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_bad_input_is_a_400_that_says_what_to_do(desk, signed_in):  # noqa: F811
    client = signed_in(desk.agent, api=True)
    bad_column = client.post(URL, {"list_key": "servicedesk.ticket", "name": "X",
                                   "columns": ["colour"]}, format="json")
    assert bad_column.status_code == 400 and "Unknown column colour" in bad_column.content.decode()
    no_list = client.post(URL, {"list_key": "no.such", "name": "X"}, format="json")
    assert no_list.status_code == 400 and "no such list" in no_list.content.decode()


def test_only_leads_share_with_their_team(desk, signed_in):  # noqa: F811
    agent = signed_in(desk.agent, api=True)
    refused = agent.post(URL, {"list_key": "servicedesk.ticket", "name": "T",
                               "team": desk.team.pk}, format="json")
    assert refused.status_code == 403
    lead = signed_in(desk.lead, api=True)
    shared = lead.post(URL, {"list_key": "servicedesk.ticket", "name": "T",
                             "team": desk.team.pk}, format="json")
    assert shared.status_code == 201 and shared.json()["team"] == desk.team.pk
    pk = shared.json()["id"]
    assert agent.get(f"{URL}{pk}/").status_code == 200  # a member reads it
    assert agent.patch(f"{URL}{pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert agent.delete(f"{URL}{pk}/").status_code == 403


def test_the_pages_forms_save_a_view_and_choose_columns(desk, signed_in):  # noqa: F811
    client = signed_in(desk.agent)
    back = "/service-desk/tickets/?queue=all&status=new"
    saved = client.post("/lists/servicedesk.ticket/views/", {
        "name": "New ones", "query": "queue=all&status=new", "columns": ["reference", "team"],
        "next": back})
    view = SavedView.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"{back}&view={view.pk}"
    page = client.get(saved["Location"])
    assert page.status_code == 200 and b'aria-current="page">New ones</a>' in page.content
    again = client.post("/lists/servicedesk.ticket/views/", {"name": "new ones", "next": back},
                        follow=True)
    assert "You already have a view called" in again.content.decode()
    client.post("/lists/servicedesk.ticket/columns/", {"columns": ["status"], "next": back})
    assert ListPreference.objects.get().columns == ["status"]
    elsewhere = client.post("/lists/servicedesk.ticket/columns/",
                            {"columns": ["status"], "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/"  # never sent off the site
    assert client.post("/lists/no.such/columns/", {"columns": ["x"]}).status_code == 404
    deleted = client.post(f"/lists/views/{view.pk}/", {"action": "delete", "next": back})
    assert deleted.status_code == 302 and not SavedView.objects.exists()


def test_columns_are_read_and_chosen_over_the_api(desk, signed_in):  # noqa: F811
    client = signed_in(desk.agent, api=True)
    url = "/api/core/list-columns/"
    shown = client.get(url, {"list": "servicedesk.ticket"}).json()["columns"]
    assert "requester" in shown and "team" not in shown  # the defaults
    chosen = client.post(url, {"list_key": "servicedesk.ticket", "columns": ["team"]},
                         format="json")
    assert chosen.status_code == 200
    assert chosen.json()["columns"] == ["reference", "title", "team", "resolution_due_at"]
    assert client.get(url, {"list": "no.such"}).status_code == 400
    refused = client.post(url, {"list_key": "servicedesk.ticket", "columns": []}, format="json")
    assert refused.status_code == 400 and "at least one" in refused.content.decode()
    requester = signed_in(desk.requester, api=True)
    assert requester.post(url, {"list_key": "servicedesk.ticket", "columns": ["team"]},
                          format="json").status_code == 403


def test_a_stale_or_unknown_change_to_a_view_is_refused_and_says_why(desk, signed_in):  # noqa: F811
    from borough.core import saved_views

    view = saved_views.save_view(desk.agent, list_key="servicedesk.ticket", name="Mine",
                                 query="queue=mine", columns=[],
                                 known_columns=["reference"])
    client = signed_in(desk.agent)
    back = "/service-desk/tickets/?queue=mine"
    saved_views.update_view(view, desk.agent, known_columns=["reference"], name="Renamed")
    stale = client.post(f"/lists/views/{view.pk}/", {
        "action": "update", "query": "queue=all", "version": view.version, "next": back},
        follow=True)
    assert "Someone changed this view while you were looking at it" in stale.content.decode()
    assert SavedView.objects.get().query == "queue=mine"  # nothing overwritten
    unknown = client.post(f"/lists/views/{view.pk}/", {"action": "rename", "next": back},
                          follow=True)
    assert "Choose whether to update or delete the view." in unknown.content.decode()
    stranger = signed_in(desk.lead)
    assert stranger.post(f"/lists/views/{view.pk}/", {"action": "delete"}).status_code == 404
    assert SavedView.objects.exists()
