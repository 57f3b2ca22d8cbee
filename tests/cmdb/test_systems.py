"""The systems catalogue, a system's page and the architecture map: what a head of
service reads, the interfaces (direct, through an interface CI, loose ends), the unit
filter, the API and the SVG drawings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from borough.cmdb import drawing, services, systems
from borough.cmdb import models as m
from borough.core import roles
from tests.factories import (
    ConfigurationItemFactory,
    PersonFactory,
    RelationshipFactory,
    ServiceUnitFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db
IW = m.RelationshipType.INTERFACES_WITH


@pytest.fixture
def estate(org_a):
    services.install_default_classes(org_a.pk)
    cls = {c.code: c for c in m.CIClass.objects.filter(organisation=org_a)}
    revenues = ServiceUnitFactory(organisation=org_a, name="Revenues and Benefits")
    finance = ServiceUnitFactory(organisation=org_a, name="Finance")
    planning = ServiceUnitFactory(organisation=org_a, name="Planning")
    apps_team = TeamFactory(organisation=org_a, name="Applications")

    def app(name, unit, **attrs):
        return ConfigurationItemFactory(organisation=org_a, name=name, ci_class=cls["application"],
                                        service_unit=unit, support_team=apps_team,
                                        attributes=attrs)

    ctax = app("Council Tax", revenues, number_of_users=40, vendor="Capita", hosting="On premises")
    benefits = app("Housing Benefit", revenues, number_of_users=25)
    ledger = app("Financials", finance, number_of_users=60)
    idox = app("Uniform", planning)
    old = app("Old cash system", finance)
    old.status = m.Status.RETIRED
    old.save()
    nightly = ConfigurationItemFactory(organisation=org_a, name="Nightly ledger file",
                                       ci_class=cls["interface"], attributes={})
    orphan = ConfigurationItemFactory(organisation=org_a, name="Planning portal feed",
                                      ci_class=cls["interface"], attributes={})
    RelationshipFactory(organisation=org_a, source=ctax, target=benefits, relationship_type=IW)
    RelationshipFactory(organisation=org_a, source=ctax, target=nightly, relationship_type=IW)
    RelationshipFactory(organisation=org_a, source=nightly, target=ledger, relationship_type=IW)
    RelationshipFactory(organisation=org_a, source=idox, target=orphan, relationship_type=IW)
    RelationshipFactory(organisation=org_a, source=old, target=ledger, relationship_type=IW)
    return {"ctax": ctax, "benefits": benefits, "ledger": ledger, "idox": idox, "old": old,
            "nightly": nightly, "orphan": orphan, "revenues": revenues, "finance": finance,
            "planning": planning}


def pairs(found):
    return {(i.source.name, i.target.name, i.via.name if i.via else None)
            for i in found.interfaces}


def test_interfaces_direct_and_through_an_interface_ci_and_loose_ends(estate, member):
    user = member(roles.AGENT)
    found = systems.architecture(user)
    assert [s.name for s in found.systems] == ["Financials", "Uniform", "Council Tax",
                                                "Housing Benefit"]  # by unit, then name
    assert pairs(found) == {("Council Tax", "Housing Benefit", None),
                            ("Council Tax", "Financials", "Nightly ledger file")}
    assert [(via.name, [s.name for s in reached]) for via, reached in found.loose_ends] == [
        ("Planning portal feed", ["Uniform"])]
    assert [s.name for s in found.unconnected] == ["Uniform"]
    assert "Old cash system" not in {s.name for s in found.systems}


def test_one_systems_interfaces_are_those_the_whole_map_gives_it(estate, member):
    # A system's page reads only its own interfaces (systems.interfaces_of), in two queries
    # whatever the size of the estate, and finds what the whole architecture has for it.
    user = member(roles.AGENT)
    whole = systems.architecture(user)
    for name in ("ctax", "benefits", "ledger", "idox"):
        system = estate[name]
        assert systems.interfaces_of(system, user) == whole.of(system), name
    assert [i.via.name for i in systems.interfaces_of(estate["ledger"], user)] == [
        "Nightly ledger file"]


def test_a_unit_sees_its_systems_and_their_partners(estate, member):
    found = systems.architecture(member(roles.AGENT), service_unit_id=estate["finance"].pk)
    assert {s.name for s in found.systems} == {"Financials", "Council Tax"}
    assert pairs(found) == {("Council Tax", "Financials", "Nightly ledger file")}
    assert found.loose_ends == []


def test_another_organisation_sees_none_of_it(estate, admin_b):
    found = systems.architecture(admin_b)
    assert found.systems == [] and found.interfaces == [] and found.loose_ends == []


def test_a_head_of_service_lands_on_their_units_systems(estate, org_a, member, signed_in):
    head = member(roles.SERVICE_UNIT_HEAD)
    estate["revenues"].head = PersonFactory(organisation=org_a, user=head, full_name="Ann Head")
    estate["revenues"].save()
    page = signed_in(head).get(reverse("cmdb:systems_catalogue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Council Tax" in text and "Housing Benefit" in text
    assert "Financials" not in text and "Uniform" not in text
    assert "Capita" in text and ">40<" in text
    everything = signed_in(head).get(reverse("cmdb:systems_catalogue") + "?unit=all")
    assert "Financials" in everything.content.decode()


def test_the_catalogue_shows_a_page_of_systems_at_a_time(estate, member, signed_in,
                                                         monkeypatch):
    # Four live systems, two a page: each unit keeps its total, the rest is a page away.
    monkeypatch.setattr(systems, "PER_PAGE", 2)
    agent = signed_in(member(roles.AGENT))
    url = reverse("cmdb:systems_catalogue") + "?unit=all"
    first = agent.get(url).content.decode()
    assert "Showing systems 1 to 2 of 4" in first
    assert "Financials" in first and "Uniform" in first and "Council Tax" not in first
    second = agent.get(url + "&page=2").content.decode()
    assert "Showing systems 3 to 4 of 4" in second
    assert "Council Tax" in second and "Housing Benefit" in second
    assert "Financials" not in second
    assert agent.get(url + "&page=nonsense").status_code == 200  # the first page


def test_a_unit_not_theirs_to_see_shows_every_unit(estate, member, signed_in, org_b):
    elsewhere = ServiceUnitFactory(organisation=org_b, name="Elsewhere")
    page = signed_in(member(roles.AGENT)).get(
        reverse("cmdb:systems_catalogue") + f"?unit={elsewhere.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and "Financials" in text and "Elsewhere" not in text


def test_the_catalogue_says_when_a_unit_has_no_systems(estate, org_a, member, signed_in):
    empty = ServiceUnitFactory(organisation=org_a, name="Leisure")
    page = signed_in(member(roles.AGENT)).get(
        reverse("cmdb:systems_catalogue") + f"?unit={empty.pk}")
    assert "No systems are recorded for Leisure yet." in page.content.decode()


def test_a_systems_page_lists_its_interfaces_and_what_it_runs_on(estate, org_a, member,
                                                                  signed_in):
    server = ConfigurationItemFactory(
        organisation=org_a, name="REVSRV01",
        ci_class=m.CIClass.objects.get(organisation=org_a, code="virtual-server"),
        attributes={"hostname": "revsrv01"})
    RelationshipFactory(organisation=org_a, source=estate["ctax"], target=server,
                        relationship_type=m.RelationshipType.RUNS_ON)
    page = signed_in(member(roles.AGENT)).get(
        reverse("cmdb:system_detail", args=[estate["ctax"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Housing Benefit" in text and "Financials" in text
    assert "Nightly ledger file" in text and "REVSRV01" in text
    assert "Revenues and Benefits" in text


def test_a_system_page_is_only_for_applications_of_this_organisation(estate, member, signed_in,
                                                                      admin_b):
    agent = signed_in(member(roles.AGENT))
    assert agent.get(reverse("cmdb:system_detail", args=[estate["nightly"].pk])).status_code == 404
    assert agent.get(reverse("cmdb:system_detail", args=[estate["old"].pk])).status_code == 404
    assert signed_in(admin_b).get(
        reverse("cmdb:system_detail", args=[estate["ctax"].pk])).status_code == 404


def test_a_requester_may_not_read_the_catalogue(estate, member, signed_in):
    requester = signed_in(member(roles.REQUESTER))
    for name in ("cmdb:systems_catalogue", "cmdb:architecture_map"):
        assert requester.get(reverse(name)).status_code == 403
    api = signed_in(member(roles.REQUESTER, username="req-api"), api=True)
    assert api.get("/api/cmdb/architecture-map/").status_code == 403


def test_the_map_page_draws_what_its_tables_list(estate, member, signed_in):
    page = signed_in(member(roles.AGENT)).get(reverse("cmdb:architecture_map") + "?unit=all")
    text = page.content.decode()
    assert page.status_code == 200
    svg = re.search(r"<svg xmlns.*?</svg>", text, re.S).group(0)
    assert svg.count("<circle") == 1 + 4  # the guide circle and one dot per system
    assert svg.count("<path") == 2
    assert "Council Tax interfaces with Financials through Nightly ledger file." in svg
    assert "Interfaces that do not reach two systems" in text and "reaches only Uniform" in text


def test_the_map_over_the_api(estate, member, signed_in):
    api = signed_in(member(roles.AGENT), api=True)
    body = api.get("/api/cmdb/architecture-map/").json()
    assert body["service_unit"] is None
    assert len(body["systems"]) == 4
    assert {(i["source"]["name"], i["target"]["name"], (i["via"] or {}).get("name"))
            for i in body["interfaces"]} == {("Council Tax", "Housing Benefit", None),
                                             ("Council Tax", "Financials",
                                              "Nightly ledger file")}
    assert body["loose_ends"][0]["interface"]["name"] == "Planning portal feed"
    one = api.get(f"/api/cmdb/architecture-map/?unit={estate['finance'].pk}").json()
    assert one["service_unit"] == estate["finance"].pk and len(one["systems"]) == 2
    wrong = api.get("/api/cmdb/architecture-map/?unit=999999")
    assert wrong.status_code == 400 and "unit" in wrong.json()
    unknown = api.get("/api/cmdb/architecture-map/?colour=red")
    assert unknown.status_code == 400


def test_a_cis_neighbourhood_is_drawn_and_given_over_the_api(estate, member, signed_in):
    agent = member(roles.AGENT)
    page = signed_in(agent).get(estate["ctax"].get_absolute_url())
    svg = re.search(r"<svg xmlns.*?</svg>", page.content.decode(), re.S).group(0)
    assert "Council Tax interfaces with Housing Benefit." in svg
    body = signed_in(agent, api=True).get(
        f"/api/cmdb/configuration-items/{estate['ctax'].pk}/neighbourhood/").json()
    assert {(n["item"]["name"], n["words"]) for n in body["outgoing"]} == {
        ("Housing Benefit", "interfaces with"), ("Nightly ledger file", "interfaces with")}
    assert body["incoming"] == []


def test_drawings_escape_every_text():
    svg = drawing.architecture_map(
        [drawing.Node(1, "<script>alert(1)</script>", "A & B"), drawing.Node(2, "Two")],
        [drawing.Edge(1, 2, '"quoted"')], title="Map <of> things")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Map &lt;of&gt;" in svg
    near = drawing.neighbourhood(drawing.Node(1, "<b>"), [(drawing.Node(2, "x"), "<i>")], [],
                                 title="t", left_heading="<l>", right_heading="r")
    assert "<b>" not in near and "<i>" not in near and "<l>" not in near
