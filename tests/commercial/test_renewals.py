"""The renewals page and its API: the next twelve months' notice and end dates by month
with the value at stake, filters, bad filters; the iCalendar feed at a secret address
(RFC 5545 escaping and folding, stored hashed, one organisation, read-only, revocable)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from borough.commercial import queries, services
from borough.commercial.models import CalendarFeed, Contract
from borough.core import roles
from borough.core.feeds import hash_secret
from borough.core.models import AuditEvent
from tests.commercial.factories import ContractFactory, SupplierFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 2)


def today():
    return time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def estate(org_a):
    """Three contracts of Copeland's, one of Eskmouth's."""
    unit4 = SupplierFactory(organisation=org_a, name="Unit4")
    civica = SupplierFactory(organisation=org_a, name="Civica")
    owner = PersonFactory(organisation=org_a, full_name="Fran Finance")
    financials = ContractFactory(  # notice by 31 Dec 2026, ends 31 Mar 2027
        organisation=org_a, supplier=unit4, owner=owner, title="Financials, support; and",
        annual_value=Decimal("85000.00"), end_date=date(2027, 3, 31), notice_period=3)
    travel = ContractFactory(  # renews every year on 30 June; notice 90 days before
        organisation=org_a, supplier=civica, title="Concessionary travel",
        annual_value=Decimal("12345.67"), renewal_terms="auto", renewal_months=12,
        start_date=date(2024, 7, 1), end_date=date(2025, 6, 30), notice_period=90,
        notice_unit="days")
    later = ContractFactory(organisation=org_a, supplier=civica, title="Imaging",
                            end_date=date(2028, 3, 31), notice_period=3)  # outside the year
    return {"financials": financials, "travel": travel, "later": later, "owner": owner}


def test_by_month_with_the_value_at_stake(estate, org_a):
    found = queries.renewals(Contract.objects.for_organisation(org_a), TODAY)
    assert [m.start for m in found.months][0] == date(2026, 11, 1)
    assert found.until == date(2027, 10, 31)
    months = {m.start: m for m in found.months}
    dec, mar = months[date(2026, 12, 1)], months[date(2027, 3, 1)]
    assert [(e.day, e.kind) for e in dec.events] == [(date(2026, 12, 31), "notice")]
    assert dec.value == Decimal("0.00")  # a notice date carries no value: its end does
    assert [(e.day, e.kind) for e in mar.events] == [(date(2027, 3, 31), "end")]
    # Travel renews on 30 June: notice 90 days before, on 1 April.
    assert [(e.day, e.kind) for e in months[date(2027, 4, 1)].events] == [
        (date(2027, 4, 1), "notice")]
    assert mar.value == Decimal("85000.00")
    june = months[date(2027, 6, 1)]
    assert [e.what for e in june.events] == ["Renews automatically"]
    assert june.value == Decimal("12345.67")
    assert found.total == Decimal("97345.67")
    assert all(e.contract != estate["later"] for e in found.events)


def test_a_notice_date_passed_without_notice_is_shown_apart(org_a):
    late = ContractFactory(organisation=org_a, end_date=date(2027, 1, 31), notice_period=3)
    found = queries.renewals(Contract.objects.for_organisation(org_a), TODAY)
    assert [d.contract for d in found.overdue] == [late]  # notice by 31 October 2026


def test_the_page_lists_them_and_filters_by_supplier_and_owner(estate, member, signed_in):
    client = signed_in(member(roles.ICT_MANAGER))
    with today():
        page = client.get(reverse("commercial:renewals"))
        body = page.content.decode()
        assert page.status_code == 200
        assert "£97,345.67" in body and "Financials, support; and" in body
        assert "Value at stake by month" in body and "Show the data" in body  # chart + table
        mine = client.get(reverse("commercial:renewals"),
                          {"owner": estate["owner"].pk}).content.decode()
        assert "Financials" in mine and "Concessionary travel" not in mine
        civica = client.get(reverse("commercial:renewals"),
                            {"supplier": estate["travel"].supplier_id}).content.decode()
        assert "Concessionary travel" in civica and "Financials" not in civica
        bad = client.get(reverse("commercial:renewals"), {"supplier": "999999"})
        assert bad.status_code == 400 and "There is a problem" in bad.content.decode()


def test_a_big_councils_dates_are_listed_a_month_and_a_page_at_a_time(org_a, member,
                                                                      signed_in):
    supplier = SupplierFactory(organisation=org_a, name="Capita")
    with today():
        for n in range(130):  # notice by 31 Dec 2026, each ends 31 Mar 2027
            ContractFactory(organisation=org_a, supplier=supplier, title=f"Contract {n:03d}",
                            annual_value=Decimal("100.00"), end_date=date(2027, 3, 31),
                            notice_period=3)
        client = signed_in(member(roles.ICT_MANAGER))
        url = reverse("commercial:renewals")
        first = client.get(url).content.decode()
        # 260 dates: more than one page holds, so a month at a time, the first with any.
        assert "260 dates" in first and "the dates of December 2026 are listed, 1 to 100 " \
            "of 130" in first
        assert "Contract 099" in first and "Contract 100" not in first
        assert 'aria-label="Pages of the month’s dates"' in first
        last = client.get(url, {"page": "2"}).content.decode()
        assert "101 to 130 of 130" in last and "Contract 129" in last
        assert "Contract 099" not in last
        march = client.get(url, {"month": "2027-03"}).content.decode()
        assert "the dates of March 2027 are listed, 1 to 100 of 130" in march
        assert "£13,000.00 at stake" in march  # the month's value: every end, not a page's
        assert client.get(url, {"month": "2027-03", "page": "99"}).status_code == 200


def test_another_councils_contracts_never_show(estate, org_b, member, signed_in):
    ContractFactory(organisation=org_b, title="Eskmouth payroll", end_date=date(2027, 1, 31))
    client = signed_in(member(roles.ICT_MANAGER))
    with today():
        body = client.get(reverse("commercial:renewals")).content.decode()
        api = client.get("/api/commercial/renewals/").json()
    assert "Eskmouth payroll" not in body
    titles = [e["contract"]["title"] for m in api["months"] for e in m["events"]]
    assert "Eskmouth payroll" not in titles and "Concessionary travel" in titles


def test_the_api_gives_the_same_figures(estate, member, signed_in):
    client = signed_in(member(roles.AUDITOR), api=True)
    with today():
        data = client.get("/api/commercial/renewals/").json()
        assert data["total"] == "97345.67" and data["until"] == "2027-10-31"
        march = next(m for m in data["months"] if m["month"] == "2027-03-01")
        assert march["value"] == "85000.00"
        assert march["events"][0]["contract"]["supplier"] == "Unit4"
        assert client.get("/api/commercial/renewals/", {"colour": "red"}).status_code == 400
        assert client.get("/api/commercial/renewals/", {"kind": "nonsense"}).status_code == 400
        ics = client.get("/api/commercial/renewals/calendar/")
        assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in ics.content


def test_a_requester_may_not_read_renewals(org_a, member, signed_in):
    client = signed_in(member(roles.REQUESTER))
    assert client.get(reverse("commercial:renewals")).status_code == 403
    assert signed_in(member(roles.REQUESTER, username="req2"), api=True).get(
        "/api/commercial/renewals/").status_code == 403


# --- the calendar feed ----------------------------------------------------------------------


def make_feed(client) -> str:
    response = client.post(reverse("commercial:calendar_feeds"))
    assert response.status_code == 200
    body = response.content.decode()
    start = body.index("/commercial/calendar/")
    return body[start:body.index('"', start)]


def test_a_feed_is_made_shown_once_stored_hashed_and_read_without_signing_in(
        estate, member, signed_in, client):
    manager = member(roles.ICT_MANAGER)
    address = make_feed(signed_in(manager))
    secret = address.split("/")[3]
    feed = CalendarFeed.objects.get()
    assert feed.key_hash == hash_secret(secret) and secret not in feed.key_hash
    assert AuditEvent.objects.filter(note="Renewals calendar address made").exists()
    with today():
        response = client.get(address)  # no session: a calendar program
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    financials = estate["financials"]
    summary = (f"Last day for notice: {financials.reference} Financials, support; and (Unit4)")
    assert summary in events
    assert events[summary].decoded("dtstart") == date(2026, 12, 31)
    assert str(events[summary]["uid"]).startswith(f"contract-{financials.pk}-notice@")
    raw = response.content.decode()
    assert "Financials\\, support\\; and" in raw  # RFC 5545 text escaping
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))  # folded
    assert "Eskmouth" not in raw
    # The form sent twice makes one address.
    again = signed_in(manager)
    key = {"submission_key": "twice"}
    assert again.post(reverse("commercial:calendar_feeds"), key).status_code == 200
    assert again.post(reverse("commercial:calendar_feeds"), key).status_code == 302
    assert CalendarFeed.objects.count() == 2
    # The page never shows the secret again.
    assert secret not in signed_in(manager).get(reverse("commercial:calendar_feeds")).content.decode()


def test_a_feed_stops_when_revoked_deactivated_or_the_role_no_longer_reads(
        estate, org_a, member, signed_in, client):
    manager = member(roles.ICT_MANAGER)
    session = signed_in(manager)
    address = make_feed(session)
    assert client.get(address).status_code == 200
    feed = CalendarFeed.objects.get()
    assert session.get(reverse("commercial:calendarfeed_revoke", args=[feed.pk])).status_code == 405
    assert session.post(reverse("commercial:calendarfeed_revoke", args=[feed.pk])).status_code == 302
    assert client.get(address).status_code == 404

    second = make_feed(session)
    manager.is_active = False
    manager.save()
    assert client.get(second).status_code == 404
    manager.is_active = True
    manager.save()
    assert client.get(second).status_code == 200
    from django.contrib.auth.models import Group

    membership = manager.memberships.get()
    membership.role = Group.objects.get(name=roles.REQUESTER)
    membership.save()
    manager.forget_permissions()
    assert client.get(second).status_code == 404
    assert client.get("/commercial/calendar/cal_guess/renewals.ics").status_code == 404


def test_someone_elses_feed_cannot_be_stopped(estate, org_a, member, signed_in):
    owner = member(roles.ICT_MANAGER)
    feed, _raw = services.create_feed(owner, org_a.pk, actor=owner)
    other = signed_in(member(roles.ADMINISTRATOR))
    assert other.post(reverse("commercial:calendarfeed_revoke", args=[feed.pk])).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.revoke_feed(feed, actor=member(roles.ICT_MANAGER, username="other"))
    with pytest.raises(PermissionDenied):  # a feed is made for oneself only
        services.create_feed(owner, org_a.pk, actor=member(roles.ADMINISTRATOR,
                                                           username="admin2"))
