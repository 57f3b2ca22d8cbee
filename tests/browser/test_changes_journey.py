"""A change manager takes a normal change through the change advisory board: submits it,
assesses its risk, sends it to the board, sees on its page and on the forward schedule
that it overlaps a change to the server its application runs on, reschedules it, and once
the board has voted and the chair has authorised it, implements it and closes it with its
post-implementation review. axe-core on every page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from borough.changes import models as m
from borough.changes import services
from tests.browser.signing_in import sign_in
from tests.changes.world import SATURDAY, copeland

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_manager_takes_a_normal_change_through_the_cab(page, axe, org_a):
    council = copeland(org_a)
    change = council.change(title="Upgrade the revenues application", items=("app",),
                            implementation_plan="Run the installer; migrate the database.",
                            test_plan="Post a test payment; print a test bill.",
                            backout_plan="Restore last night's backup.")
    server = council.change(title="Patch the revenues server", items=("server",),
                            start=SATURDAY + datetime.timedelta(hours=1))
    services.submit(server, actor=council.users["manager"])

    sign_in(page, council.users["manager"].username)
    page.goto(change.get_absolute_url())
    page.get_by_role("heading", name="Schedule conflicts").wait_for()
    axe(page, "the draft change")
    page.get_by_role("button", name="Submit for assessment").click()
    page.get_by_text(f"{change.reference} is submitted for assessment.").wait_for()

    page.get_by_role("link", name="Assess risk and impact").click()
    page.get_by_role("group", name="Is the service down while it is made?").get_by_label(
        "Yes").check()
    page.get_by_role("group", name="Is it hard to back out?").get_by_label("No").check()
    page.get_by_label("Impact", exact=True).select_option("medium")
    axe(page, "assessing the change")
    page.get_by_role("button", name="Assess risk and impact").click()
    page.get_by_text(f"{change.reference} is assessed: medium risk.").wait_for()
    # The CMDB's impact analysis is kept: the application delivers Council Tax.
    expect(page.get_by_text("Services they deliver or support")).to_be_visible()

    # The schedule finds the overlap with the server's patch: the application runs on it.
    conflict = page.locator("#conflict-list")
    assert server.reference in conflict.inner_text()
    assert "Revenues (changed here) depends on" in conflict.inner_text()
    axe(page, "the assessed change with its conflict")
    page.get_by_role("button", name="Send to the board").click()
    page.get_by_text(f"{change.reference} is with the Change advisory board.").wait_for()

    page.goto("/changes/schedule/?view=month&date=2030-01-12")
    page.get_by_role("heading", name="Forward schedule of change").wait_for()
    expect(page.get_by_text("conflict").first).to_be_visible()
    axe(page, "the forward schedule")

    page.goto(change.get_absolute_url())
    page.get_by_role("link", name="Reschedule").click()
    page.get_by_label("Window starts").fill("2030-01-19T19:00")
    page.get_by_label("Window ends").fill("2030-01-19T21:00")
    page.get_by_label("Why it moves").fill("Clear of the server's patch.")
    axe(page, "rescheduling")
    page.get_by_role("button", name="Reschedule").click()
    page.get_by_text(f"{change.reference} is rescheduled.").wait_for()
    assert "None: no other change" in page.locator("#conflict-list").inner_text()

    # The board votes (two seats: the quorum) and the chair authorises.
    change.refresh_from_db()
    services.vote(change, actor=council.users["cab1"], decision="approve")
    services.vote(change, actor=council.users["dep2"], decision="approve")
    services.authorise(change, actor=council.users["chair"], note="Go ahead.")

    page.reload()
    page.get_by_role("heading", name="The board's votes").wait_for()
    expect(page.get_by_text("Approve (by the deputy)")).to_be_visible()
    axe(page, "the authorised change")
    page.get_by_role("button", name="Start implementing").click()
    page.get_by_text(f"{change.reference} is being implemented.").wait_for()
    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("Successful").check()
    page.get_by_label("What happened").fill("Upgraded in 90 minutes; bills print.")
    axe(page, "recording the outcome")
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text("outcome recorded").wait_for()
    page.get_by_role("link", name="Close after review").click()
    page.get_by_label("Post-implementation review").fill(
        "Met its objective. The database step took longer than planned: allow more next time.")
    axe(page, "the post-implementation review")
    page.get_by_role("button", name="Close after review").click()
    page.get_by_text(f"{change.reference} is closed.").wait_for()
    change.refresh_from_db()
    assert (change.status, change.outcome) == (m.Status.CLOSED, m.Outcome.SUCCESSFUL)
    axe(page, "the closed change")
