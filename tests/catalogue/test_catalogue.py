"""The service catalogue: its rules, a service level agreement's lifecycle, the service
and CI pages' impact sections, the single points of failure page, the API actions and
the agreement's PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from borough.catalogue import models as m
from borough.catalogue import queries, services
from borough.core import pdf, roles
from borough.core import services as core_services
from tests.factories import (
    BusinessServiceFactory,
    ConfigurationItemFactory,
    OperationalLevelAgreementFactory,
    PersonFactory,
    RelationshipFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
    ServiceUnitFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org_a):
    """Council Tax: the application (needed) on either of two web servers, both behind
    one switch; the database server runs the application."""
    ci = {name: ConfigurationItemFactory(organisation=org_a, name=name)
          for name in ("CTAX-APP", "WEB1", "WEB2", "SWITCH", "DBSRV")}
    RelationshipFactory(organisation=org_a, source=ci["WEB1"], target=ci["SWITCH"])
    RelationshipFactory(organisation=org_a, source=ci["WEB2"], target=ci["SWITCH"])
    RelationshipFactory(organisation=org_a, source=ci["CTAX-APP"], target=ci["DBSRV"])
    service = BusinessServiceFactory(organisation=org_a, name="Council Tax",
                                     criticality="critical")
    ServiceComponentFactory(organisation=org_a, service=service, configuration_item=ci["CTAX-APP"])
    for web in ("WEB1", "WEB2"):
        ServiceComponentFactory(organisation=org_a, service=service,
                                configuration_item=ci[web], redundancy_group="web")
    return service, ci


# --- rules ---------------------------------------------------------------------------------


def test_the_recovery_time_must_not_exceed_the_maximum_tolerable_outage(org_a):
    service = BusinessServiceFactory.build(organisation=org_a, rto_hours=Decimal("48"),
                                           mto_hours=Decimal("24"))
    with pytest.raises(ValidationError) as caught:
        service.full_clean()
    message = caught.value.message_dict["rto_hours"][0]
    assert "recovery time objective (48 hours) is longer than the maximum tolerable " \
           "outage (24 hours)" in message
    service.rto_hours = Decimal("24")
    service.full_clean(exclude=["reference"])


def test_availability_is_a_percentage(org_a):
    service = BusinessServiceFactory.build(organisation=org_a, availability_target=Decimal("101"))
    with pytest.raises(ValidationError) as caught:
        service.full_clean(exclude=["reference"])
    assert "availability_target" in caught.value.message_dict


def test_related_records_must_belong_to_the_same_council(org_a, org_b):
    service = BusinessServiceFactory(organisation=org_a)
    theirs = ConfigurationItemFactory(organisation=org_b)
    with pytest.raises(ValidationError) as caught:
        m.ServiceComponent(organisation=org_a, service=service,
                           configuration_item=theirs).full_clean()
    assert caught.value.message_dict["configuration_item"] == ["Choose one from this organisation."]
    with pytest.raises(ValidationError) as caught:
        BusinessServiceFactory.build(organisation=org_a,
                                     owner=PersonFactory(organisation=org_b)).full_clean(
            exclude=["reference"])
    assert "owner" in caught.value.message_dict


def test_an_ola_is_between_two_teams(org_a):
    team = TeamFactory(organisation=org_a)
    ola = OperationalLevelAgreementFactory.build(organisation=org_a, provider_team=team,
                                                 receiving_team=team,
                                                 service=BusinessServiceFactory(organisation=org_a))
    with pytest.raises(ValidationError) as caught:
        ola.full_clean(exclude=["reference"])
    assert "between two teams" in caught.value.message_dict["receiving_team"][0]


def test_a_response_target_cannot_exceed_its_resolution(org_a):
    sla = ServiceLevelAgreementFactory.build(
        organisation=org_a, service=BusinessServiceFactory(organisation=org_a),
        customer_service_unit=ServiceUnitFactory(organisation=org_a), signatory=None,
        p2_response_hours=Decimal("8"), p2_resolution_hours=Decimal("4"))
    with pytest.raises(ValidationError) as caught:
        sla.full_clean(exclude=["reference"])
    assert caught.value.message_dict["p2_response_hours"] == [
        "The P2 response (8 hours) must not be longer than the P2 resolution (4 hours)."]


def test_a_ci_that_delivers_a_service_cannot_be_deleted(estate, admin_a):
    service, ci = estate
    admin_a.active_organisation_id = service.organisation_id
    with pytest.raises(ValidationError) as caught:
        core_services.delete_record(ci["WEB1"], actor=admin_a, expected_version=None)
    assert "WEB1" in str(caught.value)


# --- the agreement's lifecycle -------------------------------------------------------------


@pytest.fixture
def head(org_a, member):
    user = member(roles.SERVICE_UNIT_HEAD)
    return PersonFactory(organisation=org_a, user=user, full_name="Ruth Head")


def future_sla(org_a, **fields):
    today = datetime.date.today()
    return ServiceLevelAgreementFactory(organisation=org_a, start_date=today,
                                        review_date=today + datetime.timedelta(days=365),
                                        **fields)


def test_the_signatory_agrees_and_borough_records_who_and_when(org_a, head):
    sla = future_sla(org_a, signatory=head)
    agreed = services.agree(sla, actor=head.user, note="Signed at the unit meeting.")
    agreed.refresh_from_db()
    assert agreed.status == m.AgreementStatus.AGREED
    assert agreed.agreed_by == head.user and agreed.agreed_at is not None


def test_another_head_of_service_may_not_agree_it(org_a, head, member):
    other = member(roles.SERVICE_UNIT_HEAD, username="other-head")
    sla = future_sla(org_a, signatory=head)
    with pytest.raises(PermissionDenied) as caught:
        services.agree(sla, actor=other)
    assert "signatory" in str(caught.value)


def test_an_agreement_needs_its_parts_before_it_is_agreed(org_a, admin_a):
    sla = ServiceLevelAgreementFactory(organisation=org_a, signatory=None,
                                       review_date=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.agree(sla, actor=admin_a)
    assert caught.value.messages == [
        "This agreement cannot be agreed yet.",
        "Name the head of service who signs it (signatory).",
        "Give a review date in the future."]


def test_expire_and_redraft(org_a, admin_a, head):
    sla = services.agree(future_sla(org_a, signatory=head), actor=admin_a)
    sla = services.expire(sla, actor=admin_a)
    assert sla.status == m.AgreementStatus.EXPIRED
    with pytest.raises(ValidationError):
        services.agree(sla, actor=admin_a)
    sla = services.redraft(sla, actor=admin_a)
    assert sla.status == m.AgreementStatus.DRAFT and sla.agreed_at is None


def test_agreeing_over_the_api(org_a, head, signed_in):
    sla = future_sla(org_a, signatory=head)
    client = signed_in(head.user, api=True)
    url = f"/api/catalogue/service-level-agreements/{sla.pk}/agree/"
    response = client.post(url, {"version": sla.version}, format="json")
    assert response.status_code == 200, response.content
    sla.refresh_from_db()
    assert sla.status == m.AgreementStatus.AGREED
    assert client.post(url, {}, format="json").status_code == 400  # already agreed


def test_the_status_cannot_be_set_by_editing(org_a, admin_a, signed_in):
    sla = future_sla(org_a)
    client = signed_in(admin_a, api=True)
    response = client.patch(f"/api/catalogue/service-level-agreements/{sla.pk}/",
                            {"status": "agreed", "version": sla.version}, format="json")
    sla.refresh_from_db()
    assert response.status_code in (200, 400) and sla.status == m.AgreementStatus.DRAFT


def test_changing_an_agreed_agreements_terms_returns_it_to_draft(org_a, admin_a, head,
                                                                 signed_in):
    from borough.core.models import AuditAction, AuditEvent

    sla = services.agree(future_sla(org_a, signatory=head), actor=head.user)
    client = signed_in(admin_a)
    edit = reverse("catalogue:servicelevelagreement_edit", args=[sla.pk])
    page = client.get(edit).content.decode()
    # Said before anyone saves.
    assert "This service level agreement is agreed. Saving a change to its targets" in page
    form = client.get(edit).context["form"]
    data = {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}
    data["p1_resolution_hours"] = "8"
    response = client.post(edit, data, follow=True)
    assert "It is draft again." in response.content.decode()
    sla.refresh_from_db()
    assert sla.status == m.AgreementStatus.DRAFT and sla.p1_resolution_hours == Decimal("8")
    assert sla.agreed_by is None and sla.agreed_at is None  # nobody agreed these terms
    event = AuditEvent.objects.for_object(sla).filter(action=AuditAction.UPDATE).first()
    assert event.note == "Returned to draft: targets changed."
    assert event.changes["status"] == ["Agreed", "Draft"]
    assert event.changes["p1_resolution_hours"][1] == "8"
    # A draft changes without a word; agreed again, the API's edits do the same.
    services.agree(sla, actor=head.user)
    sla.refresh_from_db()
    ict = PersonFactory(organisation=org_a, full_name="Ian Contact")
    api = signed_in(admin_a, api=True)
    response = api.patch(f"/api/catalogue/service-level-agreements/{sla.pk}/",
                         {"ict_contact": ict.pk, "service_hours": "24x7",
                          "version": sla.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    assert AuditEvent.objects.for_object(sla).filter(action=AuditAction.UPDATE).first().note \
        == "Returned to draft: service hours and contacts changed."


def test_an_expired_or_draft_agreement_keeps_its_state_when_edited(org_a, admin_a, head):
    sla = services.expire(services.agree(future_sla(org_a, signatory=head), actor=admin_a),
                          actor=admin_a)
    sla = core_services.update_record(sla, actor=admin_a, data={"notes": "Superseded."},
                                      expected_version=sla.version)
    assert sla.status == m.AgreementStatus.EXPIRED


# --- impact through the database and on the pages --------------------------------------------


def test_what_a_ci_stops_and_supports(estate, admin_a):
    service, ci = estate
    admin_a.active_organisation_id = service.organisation_id
    stopped = queries.services_stopped_by(ci["SWITCH"], admin_a)
    assert [(r.service, [c.name for c in r.path]) for r in stopped] == [
        (service, ["WEB1", "SWITCH"])]
    assert queries.services_stopped_by(ci["WEB1"], admin_a) == []
    assert [r.service for r in queries.services_supported_by(ci["WEB1"], admin_a)] == [service]
    assert [r.service for r in queries.services_stopped_by(ci["DBSRV"], admin_a)] == [service]


def test_a_services_dependencies_and_single_points(estate, admin_a):
    service, ci = estate
    admin_a.active_organisation_id = service.organisation_id
    assert {d.item.name for d in queries.dependencies_of(service, admin_a)} == set(ci)
    assert [c.name for c in queries.single_points_of_failure(service, admin_a)] == [
        "CTAX-APP", "DBSRV", "SWITCH"]


def test_a_retired_service_stops_nothing(estate, admin_a):
    service, ci = estate
    m.BusinessService.objects.filter(pk=service.pk).update(status=m.ServiceStatus.RETIRED)
    admin_a.active_organisation_id = service.organisation_id
    assert queries.services_stopped_by(ci["SWITCH"], admin_a) == []


def test_the_service_page(estate, admin_a, signed_in):
    service, ci = estate
    body = signed_in(admin_a).get(service.get_absolute_url()).content.decode()
    assert "Single points of failure" in body and "Through: WEB1 → SWITCH" in body
    points = body[body.index('id="single-points"'):body.index('id="depends-on"')]
    assert "CTAX-APP" in points and "SWITCH" in points and "WEB1" not in points
    assert f"{reverse('catalogue:servicecomponent_add')}?service={service.pk}" in body


def test_the_ci_page_shows_the_services_it_stops(estate, admin_a, signed_in):
    service, ci = estate
    client = signed_in(admin_a)
    body = client.get(ci["SWITCH"].get_absolute_url()).content.decode()
    assert "these 1 business service stop" in body and "WEB1 → SWITCH" in body
    body = client.get(ci["WEB1"].get_absolute_url()).content.decode()
    assert "No business service stops if WEB1 is lost" in body
    assert "which have an alternative to it" in body


def test_adding_a_component_from_the_service_page_goes_back_to_it(estate, admin_a, signed_in):
    service, ci = estate
    client = signed_in(admin_a)
    add = reverse("catalogue:servicecomponent_add")
    page = client.get(f"{add}?service={service.pk}").content.decode()
    assert f'value="{service.pk}" selected' in page
    new = ConfigurationItemFactory(organisation=service.organisation, name="FIREWALL")
    response = client.post(add, {"service": service.pk, "configuration_item": new.pk,
                                 "role": "the firewall", "submission_key": "k1"})
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    component = m.ServiceComponent.objects.get(configuration_item=new)
    assert reverse("catalogue:servicecomponent_delete", args=[component.pk]) in \
        client.get(service.get_absolute_url()).content.decode()


def test_the_single_points_page(estate, admin_a, signed_in, org_a):
    service, ci = estate
    BusinessServiceFactory(organisation=org_a, name="Intranet", criticality="low")
    bare = BusinessServiceFactory(organisation=org_a, name="Payroll", criticality="critical")
    client = signed_in(admin_a)
    url = reverse("catalogue:single_points")
    body = client.get(url).content.decode()
    assert "Council Tax" in body and "DBSRV" in body and "Intranet" not in body
    assert str(bare) in body and "no components recorded" in body
    body = client.get(url, {"criticality": ["low"]}).content.decode()
    assert "Intranet" in body and "Council Tax" not in body
    response = client.get(url, {"criticality": ["dreadful"]})
    assert response.status_code == 400
    assert "Choose criticalities from the list." in response.content.decode()


def test_the_api_actions(estate, admin_a, signed_in, org_b):
    service, ci = estate
    client = signed_in(admin_a, api=True)
    base = "/api/catalogue/business-services/"
    data = client.get(f"{base}{service.pk}/impact/").json()
    assert [p["name"] for p in data["single_points_of_failure"]] == ["CTAX-APP", "DBSRV",
                                                                     "SWITCH"]
    data = client.get(f"{base}for-item/", {"configuration_item": ci["SWITCH"].pk}).json()
    assert [[p["name"] for p in row["path"]] for row in data["stopped"]] == [["WEB1", "SWITCH"]]
    rows = client.get(f"{base}single-points-of-failure/").json()
    assert [r["service"]["name"] for r in rows] == ["Council Tax"]
    theirs = ConfigurationItemFactory(organisation=org_b)
    response = client.get(f"{base}for-item/", {"configuration_item": theirs.pk})
    assert response.status_code == 400 and "configuration_item" in response.json()
    assert client.get(f"{base}for-item/", {"item": 1}).status_code == 400
    assert client.get(f"{base}single-points-of-failure/",
                      {"criticality": "dreadful"}).status_code == 400


def test_the_pages_cost_a_fixed_number_of_queries(estate, admin_a, signed_in,
                                                  django_assert_max_num_queries):
    service, ci = estate
    client = signed_in(admin_a)
    client.get(service.get_absolute_url())
    with django_assert_max_num_queries(40):
        assert client.get(service.get_absolute_url()).status_code == 200


# --- reading: the head of service ----------------------------------------------------------


def test_a_head_of_service_reads_services_and_agreements_but_changes_nothing(
        estate, head, signed_in):
    service, ci = estate
    sla = future_sla(service.organisation, service=service, signatory=head)
    client = signed_in(head.user)
    assert client.get(reverse("catalogue:businessservice_list")).status_code == 200
    assert "Council Tax" in client.get(service.get_absolute_url()).content.decode()
    page = client.get(sla.get_absolute_url()).content.decode()
    assert "Agree" in page
    assert client.get(reverse("catalogue:businessservice_edit", args=[service.pk])
                      ).status_code == 403


# --- the PDF ---------------------------------------------------------------------------------


needs_weasyprint = pytest.mark.skipif(not pdf.available(), reason="WeasyPrint unavailable")


@needs_weasyprint
def test_the_agreement_as_a_pdf(org_a, head, signed_in, org_b):
    sla = future_sla(org_a, signatory=head)
    client = signed_in(head.user)
    response = client.get(reverse("catalogue:servicelevelagreement_pdf", args=[sla.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="sla-')
    theirs = ServiceLevelAgreementFactory(organisation=org_b)
    assert client.get(reverse("catalogue:servicelevelagreement_pdf",
                              args=[theirs.pk])).status_code == 404


def test_without_weasyprint_the_pdf_page_says_what_to_install(org_a, head, signed_in,
                                                              monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    sla = future_sla(org_a, signatory=head)
    response = signed_in(head.user).get(
        reverse("catalogue:servicelevelagreement_pdf", args=[sla.pk]))
    assert response.status_code == 503 and "apt-get install" in response.content.decode()
