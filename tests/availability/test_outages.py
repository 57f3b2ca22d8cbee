"""Outages: their rules (end after start, no two from the same source over the same
time), recorded from a major incident (services from the CMDB, ended when it is
resolved) and from a change's window; availability read from the database within the
service's hours; the pages and the API, with their errors and permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from borough.availability import models as m
from borough.availability import queries, services
from borough.catalogue.models import ServiceHours
from borough.core import roles
from borough.core import services as core_services
from borough.servicedesk import services as desk_services
from tests.availability.factories import OutageFactory
from tests.catalogue.factories import (
    BusinessServiceFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
)
from tests.changes.factories import ChangeFactory
from tests.cmdb.factories import ConfigurationItemFactory
from tests.servicedesk.factories import TicketFactory

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
APRIL = datetime(2026, 4, 1, tzinfo=UTC) - H  # midnight, 1 April, London (BST)


def outage(org, service, start, end, *, by, **fields):
    return core_services.create_record(
        m.Outage(organisation=org, service=service, started_at=start, ended_at=end, **fields),
        actor=by)


def test_an_outage_ends_after_it_starts(org_a, admin_a):
    service = BusinessServiceFactory(organisation=org_a)
    start = APRIL + 24 * H
    with pytest.raises(ValidationError) as caught:
        outage(org_a, service, start, start - H, by=admin_a)
    assert "must be after the start" in caught.value.message_dict["ended_at"][0]
    with pytest.raises(ValidationError):
        outage(org_a, service, start, start, by=admin_a)


def test_the_same_time_is_not_recorded_twice_from_one_source(org_a, admin_a):
    service = BusinessServiceFactory(organisation=org_a, name="Benefits")
    start = APRIL + 24 * H
    first = outage(org_a, service, start, start + 3 * H, by=admin_a)
    with pytest.raises(ValidationError) as caught:
        outage(org_a, service, start + H, start + 5 * H, by=admin_a)
    message = caught.value.message_dict["started_at"][0]
    assert first.reference in message and "Benefits" in message
    ongoing = outage(org_a, service, start + 10 * H, None, by=admin_a)
    with pytest.raises(ValidationError):  # an ongoing outage lasts until it is ended
        outage(org_a, service, start + 100 * H, start + 101 * H, by=admin_a)
    # Touching is not overlapping; another service or source may share the time.
    outage(org_a, service, start + 3 * H, start + 4 * H, by=admin_a)
    outage(org_a, BusinessServiceFactory(organisation=org_a), start, start + H, by=admin_a)
    ticket = TicketFactory(organisation=org_a, is_major_incident=True)
    outage(org_a, service, start, start + 2 * H, by=admin_a, source=m.Source.MAJOR_INCIDENT,
           ticket=ticket)
    assert ongoing.is_ongoing


def test_overlapping_outages_count_once_within_service_hours(org_a, admin_a):
    """Two outages of a service on working hours (08:30 to 17:00 weekdays by default)
    overlapping on Tuesday 7 April: 09:00-12:00 and 11:00-13:00 is 4 hours down, one
    failure; a planned Saturday outage and a night one cost nothing."""
    service = BusinessServiceFactory(organisation=org_a, availability_target=Decimal("99"))
    tuesday = APRIL + 6 * 24 * H  # 7 April, 00:00 local
    outage(org_a, service, tuesday + 9 * H, tuesday + 12 * H, by=admin_a)
    ticket = TicketFactory(organisation=org_a, is_major_incident=True)
    outage(org_a, service, tuesday + 11 * H, tuesday + 13 * H, by=admin_a, ticket=ticket,
           source=m.Source.MAJOR_INCIDENT)
    outage(org_a, service, tuesday + 20 * H, tuesday + 23 * H, by=admin_a)
    outage(org_a, service, tuesday + 4 * 24 * H, tuesday + 4 * 24 * H + 5 * H, by=admin_a,
           kind=m.Kind.PLANNED)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    figures = queries.month_availability(service, admin_a, date(2026, 4, 1), now=now)
    # April 2026: 22 weekdays less Good Friday and Easter Monday, 8.5 hours each.
    assert figures.service_minutes == 20 * 510
    assert figures.downtime_minutes == 4 * 60 and figures.failures == 1
    assert figures.planned_minutes == 0
    assert figures.availability == pytest.approx(100 * (20 * 510 - 240) / (20 * 510))
    assert figures.met is False  # 97.6% against 99%

    service.service_hours = ServiceHours.ALWAYS
    service.save()
    figures = queries.month_availability(service, admin_a, date(2026, 4, 1), now=now)
    assert figures.service_minutes == 30 * 24 * 60
    assert figures.downtime_minutes == 7 * 60 and figures.failures == 2
    assert figures.planned_minutes == 5 * 60
    assert queries.month_availability(service, admin_a, date(2026, 7, 1), now=now) is None


def test_another_councils_outages_are_not_counted(org_a, org_b, admin_a, admin_b):
    service = BusinessServiceFactory(organisation=org_a, service_hours=ServiceHours.ALWAYS)
    OutageFactory(organisation=org_a, service=service, started_at=APRIL + 24 * H,
                  ended_at=APRIL + 26 * H)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert queries.month_availability(service, admin_a, date(2026, 4, 1),
                                      now=now).downtime_minutes == 120
    assert queries.month_availability(service, admin_b, date(2026, 4, 1),
                                      now=now).downtime_minutes == 0


def test_a_major_incident_records_the_services_the_cmdb_says_it_stops(desk):
    """The incident names the benefits service and the database server; the council tax
    service stands on that server too, so both are down until the incident is resolved."""
    org, lead = desk.org, desk.lead
    benefits = BusinessServiceFactory(organisation=org, name="Benefits")
    council_tax = BusinessServiceFactory(organisation=org, name="Council Tax")
    BusinessServiceFactory(organisation=org, name="Email")
    server = ConfigurationItemFactory(organisation=org, name="DB01")
    ServiceComponentFactory(organisation=org, service=council_tax, configuration_item=server)
    ticket = desk_services.raise_ticket(
        org.pk, actor=desk.agent, ticket_type="incident", title="Benefits down",
        description="Nobody can open a claim.", requester=desk.requester_person,
        service=benefits, ci=server)
    core = TicketFactory._meta.model.objects.filter(pk=ticket.pk)
    with pytest.raises(ValidationError):  # not a major incident (yet)
        services.record_from_major_incident(ticket, actor=lead)
    core.update(is_major_incident=True)
    ticket.refresh_from_db()
    assert [s.name for s in queries.services_of_incident(ticket, lead)] == [
        "Benefits", "Council Tax"]
    recorded = services.record_from_major_incident(ticket, actor=lead)
    assert sorted(o.service.name for o in recorded.created) == ["Benefits", "Council Tax"]
    assert all(o.ended_at is None and o.started_at == ticket.created_at
               and o.kind == m.Kind.UNPLANNED for o in recorded.created)
    again = services.record_from_major_incident(ticket, actor=lead)
    assert not again.created and len(again.skipped) == 2

    desk_services.resolve(ticket, actor=desk.agent, note="Database restarted.")
    ticket.refresh_from_db()
    ended = m.Outage.objects.filter(ticket=ticket)
    assert {o.ended_at for o in ended} == {ticket.resolved_at}


def test_an_agent_may_not_record_outages(desk):
    ticket = TicketFactory(organisation=desk.org, is_major_incident=True,
                           service=BusinessServiceFactory(organisation=desk.org))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_from_major_incident(ticket, actor=desk.agent)


def test_a_changes_window_records_planned_outages(org_a, member, signed_in):
    manager = member(roles.CHANGE_MANAGER)
    service = BusinessServiceFactory(organisation=org_a, name="Payroll")
    start = datetime(2026, 4, 11, 8, tzinfo=UTC)
    change = ChangeFactory(organisation=org_a, planned_start=start, planned_end=start + 4 * H)
    with pytest.raises(ValidationError, match="names no business service"):
        services.record_from_change(change, actor=manager)
    change.services.set([service])
    page = signed_in(manager).get(reverse("changes:change_detail", args=[change.pk]))
    assert page.status_code == 200 and "Record planned outages" in page.content.decode()
    recorded = services.record_from_change(change, actor=manager)
    [made] = recorded.created
    assert (made.kind, made.source, made.change, made.started_at, made.ended_at) == (
        m.Kind.PLANNED, m.Source.CHANGE, change, start, start + 4 * H)
    no_window = ChangeFactory(organisation=org_a, planned_start=None, planned_end=None)
    with pytest.raises(ValidationError, match="no window"):
        services.record_from_change(no_window, actor=manager)


def test_the_pages(org_a, member, signed_in):
    manager = member(roles.ICT_MANAGER)
    service = BusinessServiceFactory(organisation=org_a, name="Benefits")
    OutageFactory(organisation=org_a, service=service, started_at=APRIL + 33 * H,
                  ended_at=APRIL + 35 * H, cause="Disk full")
    client = signed_in(manager)
    page = client.get(reverse("catalogue:businessservice_detail", args=[service.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="availability"' in body and "Disk full" in body
    agreement = ServiceLevelAgreementFactory(organisation=org_a, service=service,
                                             availability_target=Decimal("97.25"))
    page = client.get(reverse("catalogue:servicelevelagreement_detail", args=[agreement.pk]))
    assert page.status_code == 200 and "Target: 97.25%" in page.content.decode()
    for query in ("", "?months=12", "?month=2026-04&months=1"):
        report = client.get(reverse("availability:report") + query)
        assert report.status_code == 200 and "Benefits" in report.content.decode()
    assert "Show the data" in report.content.decode()
    bad = client.get(reverse("availability:report") + "?month=2026-13")
    assert bad.status_code == 200 and "Give the month as YYYY-MM" in bad.content.decode()
    assert client.get(reverse("availability:report") + "?colour=red").status_code == 400
    requester = member(roles.REQUESTER)
    assert signed_in(requester).get(reverse("availability:report")).status_code == 403


def test_record_from_the_incident_page(desk, signed_in):
    service = BusinessServiceFactory(organisation=desk.org, name="Benefits")
    ticket = TicketFactory(organisation=desk.org, is_major_incident=True, service=service)
    page = signed_in(desk.lead).get(reverse("servicedesk:ticket_detail", args=[ticket.pk]))
    assert "Record unplanned outages" in page.content.decode()
    response = signed_in(desk.lead).post(reverse("availability:from_incident",
                                                 args=[ticket.pk]))
    assert response.status_code == 302
    assert m.Outage.objects.filter(ticket=ticket, service=service).count() == 1
    refused = signed_in(desk.agent).post(reverse("availability:from_incident",
                                                 args=[ticket.pk]))
    assert refused.status_code == 403


def test_the_api(org_a, org_b, member, signed_in):
    manager = member(roles.ICT_MANAGER)
    service = BusinessServiceFactory(organisation=org_a, service_hours=ServiceHours.ALWAYS)
    other = BusinessServiceFactory(organisation=org_b)
    api = signed_in(manager, api=True)
    url = reverse("api:availability-outage-list")
    start = "2026-04-02T10:00:00Z"
    bad = api.post(url, {"service": service.pk, "started_at": start,
                         "ended_at": "2026-04-02T09:00:00Z"}, format="json")
    assert bad.status_code == 400 and "ended_at" in bad.json()
    foreign = api.post(url, {"service": other.pk, "started_at": start}, format="json")
    assert foreign.status_code == 400 and "service" in foreign.json()
    made = api.post(url, {"service": service.pk, "started_at": start,
                          "ended_at": "2026-04-02T12:00:00Z", "source": "monitoring"},
                    format="json")
    assert made.status_code == 201, made.json()
    clash = api.post(url, {"service": service.pk, "started_at": "2026-04-02T11:00:00Z",
                           "source": "monitoring"}, format="json")
    assert clash.status_code == 400 and "started_at" in clash.json()

    figures = api.get(reverse("api:availability-figures-detail", args=[service.pk]),
                      {"month": "2026-04"})
    assert figures.status_code == 200
    [april] = figures.json()["months"]
    assert april["downtime_minutes"] == 120 and april["failures"] == 1
    assert api.get(reverse("api:availability-figures-list"), {"months": "12"}).status_code == 200
    for params in ({"month": "April"}, {"months": "99"}, {"month": "2999-01"}, {"x": "1"}):
        assert api.get(reverse("api:availability-figures-list"), params).status_code == 400
    assert api.get(reverse("api:availability-figures-detail",
                           args=[other.pk])).status_code == 404
    requester = signed_in(member(roles.REQUESTER), api=True)
    assert requester.get(reverse("api:availability-figures-list")).status_code == 403


def test_recording_from_an_incident_and_a_change_over_the_api(desk, org_b, member, signed_in):
    service = BusinessServiceFactory(organisation=desk.org, name="Benefits")
    ticket = TicketFactory(organisation=desk.org, is_major_incident=True, service=service)
    plain = TicketFactory(organisation=desk.org, service=service)
    foreign = TicketFactory(organisation=org_b, is_major_incident=True)
    api = signed_in(desk.lead, api=True)
    url = reverse("api:availability-outage-from-major-incident")
    made = api.post(url, {"ticket": ticket.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert [o["service"] for o in made.json()["created"]] == [service.pk]
    again = api.post(url, {"ticket": ticket.pk}, format="json")
    assert again.status_code == 200 and again.json()["skipped"] == ["Benefits: already recorded."]
    assert api.post(url, {"ticket": plain.pk}, format="json").status_code == 400
    assert api.post(url, {"ticket": foreign.pk}, format="json").status_code == 400
    assert api.post(url, {}, format="json").status_code == 400
    refused = signed_in(desk.agent, api=True).post(url, {"ticket": ticket.pk}, format="json")
    assert refused.status_code == 403

    manager = member(roles.CHANGE_MANAGER)
    start = datetime(2026, 4, 11, 8, tzinfo=UTC)
    change = ChangeFactory(organisation=desk.org, planned_start=start,
                           planned_end=start + 2 * H)
    change.services.set([service])
    made = signed_in(manager, api=True).post(reverse("api:availability-outage-from-change"),
                                             {"change": change.pk}, format="json")
    assert made.status_code == 201 and made.json()["created"][0]["kind"] == "planned"
