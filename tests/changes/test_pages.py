"""Change management's own pages and endpoints beyond the registry's: a change's page with
its conflicts, the forward schedule (month, week, list, its parameters), the figures, the
printable agenda, the schedule's API, and the iCalendar addresses."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import time_machine
from django.urls import reverse

from borough.changes import models as m
from borough.changes import queries, services
from tests.changes.factories import MeetingFactory, ScheduleWindowFactory
from tests.changes.world import SATURDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def overlapping(council):
    """Two changes submitted for assessment (on the schedule) on the server and the
    application that runs on it, overlapping."""
    one = council.change(title="Patch the server")
    two = council.change(title="Upgrade the application", items=("app",),
                         start=SATURDAY + datetime.timedelta(hours=1))
    for change in (one, two):
        services.submit(change, actor=council.users["manager"])
    return one, two


def test_a_changes_page_shows_its_conflicts(council, overlapping, signed_in):
    one, two = overlapping
    page = signed_in(council.users["manager"]).get(one.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{two.reference} (Sat 12 Jan 20:00 to Sat 12 Jan 22:00) changes" in text
    assert "which depends on" in text


def test_the_schedule_shows_conflicts_and_windows_in_each_view(council, overlapping,
                                                               signed_in):
    ScheduleWindowFactory(organisation=council.org, name="Elections",
                          starts_at=SATURDAY - datetime.timedelta(hours=2),
                          ends_at=SATURDAY + datetime.timedelta(hours=1))
    client = signed_in(council.users["cab1"])
    for view in ("month", "week", "list"):
        page = client.get(reverse("changes:schedule"), {"view": view, "date": "2030-01-12"})
        text = page.content.decode()
        assert page.status_code == 200, view
        assert overlapping[0].reference in text and "Elections" in text
        assert "falls in the freeze “Elections”" in text
    for bad in ({"view": "year"}, {"date": "12/01/2030"}, {"service": "x"}, {"sort": "1"}):
        assert client.get(reverse("changes:schedule"), bad).status_code == 400


def test_the_schedule_finds_conflicts_in_a_fixed_number_of_queries(council, overlapping,
                                                                   django_assert_max_num_queries):
    for n in range(10):
        services.submit(council.change(title=f"More {n}", items=("other",),
                                       start=SATURDAY + datetime.timedelta(days=n % 3, hours=n)),
                        actor=council.users["manager"])
    start = SATURDAY - datetime.timedelta(days=5)
    with django_assert_max_num_queries(12):
        found = queries.schedule(council.users["manager"], start,
                                 start + datetime.timedelta(days=31))
    assert len(found.changes) == 12
    assert len(found.conflicted) >= 2


def test_the_schedule_api_gives_the_changes_with_their_conflicts(council, overlapping,
                                                                 signed_in):
    client = signed_in(council.users["auditor"], api=True)
    response = client.get("/api/changes/schedule/", {"start": "2030-01-01", "end": "2030-02-01"})
    assert response.status_code == 200
    rows = {r["reference"]: r for r in response.json()["changes"]}
    assert rows[overlapping[0].reference]["conflicts"]
    for bad in ({"start": "soon"}, {"start": "2030-01-01", "end": "2029-01-01"},
                {"start": "2030-01-01", "end": "2031-01-01"}, {"colour": "red"}):
        assert client.get("/api/changes/schedule/", bad).status_code == 400
    requester = signed_in(council.users["requester"], api=True)
    assert requester.get("/api/changes/schedule/").status_code == 403


def test_the_figures_page(council, signed_in):
    change = council.with_board(council.change())
    for key in ("cab1", "cab2"):
        services.vote(change, actor=council.users[key], decision="approve")
    change.refresh_from_db()
    for step, fields in ((services.authorise, {}), (services.start, {}),
                         (services.complete, {"outcome": "failed", "note": "It broke."})):
        step(change, actor=council.users["chair"], **fields)
        change.refresh_from_db()
    page = signed_in(council.users["lead"]).get(reverse("changes:figures"))
    text = page.content.decode()
    assert "0 successful of 1 finished (1 failed, 0 backed out)" in text
    assert signed_in(council.users["lead"]).get(reverse("changes:figures"),
                                                {"x": "1"}).status_code == 400


def test_the_printable_agenda(council, signed_in):
    change = council.with_board(council.change())
    council.with_board(council.change(title="Upgrade the application", items=("app",),
                                      start=SATURDAY + datetime.timedelta(hours=1)))
    meeting = MeetingFactory(organisation=council.org, board=council.cab, minutes="Agreed.")
    services.generate_agenda(meeting, actor=council.users["manager"])
    page = signed_in(council.users["cab2"]).get(reverse("changes:meeting_print",
                                                        args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert change.reference in text and "Conflicts:" in text and "Agreed." in text
    assert "changes/changes.css" in text


@time_machine.travel(datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_a_calendar_address_reads_the_schedule_until_stopped(council, overlapping, signed_in,
                                                              client):
    """Three months back to a year ahead of today (here, New Year's Day 2030)."""
    user = council.users["cab1"]
    page = signed_in(user).post(reverse("changes:feeds"), {"submission_key": "k1"})
    address = page.context["new_address"]
    feed = page.context["new"]
    path = address.split("testserver", 1)[1]
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert {str(e["summary"]).split()[0] for e in events} == {c.reference for c in overlapping}
    # One service's address lists only its changes.
    other = council.change(title="Printer server", items=("other",))
    other.services.clear()
    services.submit(other, actor=council.users["manager"])
    page = signed_in(user).post(reverse("changes:feeds"), {
        "submission_key": "k2", "service": council.items["service"].pk})
    service_path = page.context["new_address"].split("testserver", 1)[1]
    events = icalendar.Calendar.from_ical(client.get(service_path).content).walk("VEVENT")
    assert other.reference not in {str(e["summary"]).split()[0] for e in events}
    services.revoke_feed(feed, actor=user)
    assert client.get(path).status_code == 404
    assert client.get("/changes/calendar/chg_nothing/changes.ics").status_code == 404


def test_a_standard_change_is_raised_from_the_generic_form_and_the_window_fixed_later(
        council, signed_in):
    change = council.with_board(council.change())
    form_page = signed_in(council.users["manager"]).get(
        reverse("changes:change_edit", args=[change.pk]))
    assert "planned_start" not in form_page.context["form"].fields
    assert change.status == m.Status.AUTHORISATION


def test_a_reschedule_keeps_a_start_stored_in_the_hour_the_clocks_go_back():
    from types import SimpleNamespace

    from borough.changes.forms import RescheduleForm

    second = datetime.datetime(2030, 10, 27, 1, 30, 15, tzinfo=datetime.UTC)
    change = SimpleNamespace(planned_start=second, version=3,
                             planned_end=second + datetime.timedelta(hours=2))
    # The start sent back as the page shows it; a new end typed.
    form = RescheduleForm({"planned_start": "2030-10-27T01:30",
                           "planned_end": "2030-10-27T05:00", "version": 3}, record=change)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["planned_start"] == second
    typed = RescheduleForm({"planned_start": "2030-10-27T01:10",
                            "planned_end": "2030-10-27T05:00", "version": 3}, record=change)
    assert not typed.is_valid() and "ambiguous" in str(typed.errors["planned_start"])


def test_a_window_stored_in_the_hour_the_clocks_go_back_saves_again_unchanged(council,
                                                                             signed_in):
    # 00:30 and 01:30 UTC on 27 October 2030 both read 01:30 in London: typed, that time is
    # refused as ambiguous; sent back as shown, it is the instant stored.
    second = datetime.datetime(2030, 10, 27, 1, 30, 15, tzinfo=datetime.UTC)
    window = ScheduleWindowFactory(organisation=council.org, name="Clocks",
                                   starts_at=second, ends_at=second + datetime.timedelta(hours=5))
    client = signed_in(council.users["manager"])
    edit = reverse("changes:schedulewindow_edit", args=[window.pk])
    data = {"name": "Clocks back", "kind": window.kind, "starts_at": "2030-10-27T01:30",
            "ends_at": "2030-10-27T06:30", "reason": window.reason, "version": window.version}
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    window.refresh_from_db()
    assert (window.name, window.starts_at) == ("Clocks back", second)

    typed = client.post(edit, data | {"starts_at": "2030-10-27T01:10",
                                      "version": window.version})
    assert typed.status_code == 400
    assert "may be ambiguous" in typed.content.decode()
    window.refresh_from_db()
    assert window.starts_at == second
