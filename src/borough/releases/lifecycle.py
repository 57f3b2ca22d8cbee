"""A release's lifecycle (docs/releases.md, docs/lifecycles/releases-release.md):

    draft → planned → in test → ready for live (go) → live → closed

A no-go sends it from test (or from ready, before it goes live) back to planning with
the reason; it may be cancelled at any time before it goes live. Each move tells its owner
and the owners of its changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from borough.core import notifications
from borough.core.lifecycle import Lifecycle, Move, Transition, permission
from borough.licences import queries as licences
from borough.releases.models import BEFORE_LIVE, MANAGE, Decision, Release, Status, TestResult
from borough.releases.queries import UNDELIVERABLE

MANAGERS = permission(MANAGE, "change management",
                      refusal="Only change management (the change manager, the ICT "
                              "manager) can do that.")


# --- guards ------------------------------------------------------------------------------

def _needs(release: Release, *what: str) -> str | None:
    missing = [w for w in what if w]
    if not missing:
        return None
    return f"{release.reference} cannot move on yet: " + " ".join(missing)


def has_a_plan(release: Release, actor) -> str | None:
    return _needs(
        release,
        "" if release.planned_test_date else "Give the date testing starts.",
        "" if release.planned_live_date else "Give the date it goes live.")


def has_changes(release: Release, actor) -> str | None:
    return _needs(release, "" if release.changes.exists() else
                  "Add the changes it delivers: a release without a change has nothing to "
                  "test.")


def test_passed(release: Release, actor) -> str | None:
    if release.test_result == TestResult.PASSED:
        return None
    if release.test_result == TestResult.FAILED:
        return (f"{release.reference} failed its test: decide no-go, fix it and test it "
                "again.")
    return f"{release.reference} has no test result yet: record that its test passed first."


def changes_authorised(release: Release, actor) -> str | None:
    waiting = [c.reference for c in release.changes.order_by("reference")
               if c.authorised_at is None or c.status in UNDELIVERABLE]
    if not waiting:
        return None
    return (f"{release.reference} cannot go live before every change in it is authorised: "
            f"{', '.join(waiting[:10])}{' and more' if len(waiting) > 10 else ''} "
            f"{'is' if len(waiting) == 1 else 'are'} not.")


def licence_day(release: Release):
    """The day its licences must cover: the planned live date, or today if that passed."""
    today = timezone.localdate()
    return max(release.planned_live_date or today, today)


def licences_cover(release: Release, actor) -> str | None:
    """Each licence the release's software is to be used under has an entitlement in force
    on the day it goes live that covers the use counted now (licences.queries.positions):
    the contractual side of a release, checked before the go."""
    used = [item.licence for item in release.items.filter(licence__isnull=False)
            .select_related("licence__software__ci_class", "licence__standard_build")
            .order_by("licence__reference")]
    day = licence_day(release)
    problems = []
    for position in licences.positions(used, day):
        licence = position.licence
        if not position.in_force:
            problems.append(f"{licence.reference} {licence.name} has no entitlement in force "
                            f"on {day:%-d %B %Y}.")
        elif position.shortfall:
            problems.append(f"{licence.reference} {licence.name} is {position.shortfall} "
                            f"short ({position.used} used, {position.entitled} entitled).")
    if not problems:
        return None
    return (f"{release.reference} cannot be given a go until its licences cover it: "
            + " ".join(problems) + " Record the entitlement bought, or take the software "
            "out of the release.")


# --- effects -----------------------------------------------------------------------------

def url_of(release: Release) -> str:
    return reverse("releases:release_detail", args=[release.pk])


def its_people(release: Release) -> list:
    """Its owner and the owners of its changes, with a login that works."""
    people = [release.owner] if release.owner_id else []
    people += [c.owner for c in release.changes.select_related("owner__user")
               if c.owner_id]
    seen, users = set(), []
    for person in people:
        user = person.user if person.user_id else None
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            users.append(user)
    return users


def tell(event: str, words: str):
    """An effect telling the release's people (not whoever did it) that it `words`."""
    def told(move: Move) -> None:
        release = move.record
        users = [u for u in its_people(release) if u.pk != getattr(move.actor, "pk", None)]
        note = f"\n\n{move.note}" if move.note else ""
        notifications.notify(users, organisation_id=release.organisation_id, event=event,
                             subject=f"{release.reference} {words}: {release.title}",
                             body=f"{release.get_release_type_display()} release "
                                  f"{release.reference} {words}.{note}",
                             url=url_of(release), thread=release,
                             context={"release_type": release.get_release_type_display(),
                                      "note": move.note})
    told.__name__ = f"tell_{event.replace('-', '_')}"
    return told


def test_started(move: Move) -> None:
    release = move.record
    release.test_started_at = move.now
    # A new test: the last one's result no longer counts.
    release.test_result, release.test_notes, release.tested_at = "", "", None


def decided(move: Move) -> None:
    release = move.record
    release.decided_at = move.now
    release.decided_by = move.actor if getattr(move.actor, "pk", None) else None
    release.decision_note = move.note
    if move.transition.name == "no-go":
        release.decision = Decision.NO_GO
        release.no_go_count += 1
    else:
        release.decision = Decision.GO
        release.licences_checked_for = licence_day(release)


def went_live(move: Move) -> None:
    release = move.record
    release.deployed_at = move.now
    release.live_notes = move.note


def closed(move: Move) -> None:
    release = move.record
    release.review = move.fields.get("review") or release.review
    release.closed_at = move.now


RELEASE = Lifecycle(Release, "status", transitions=[
    Transition("plan", "Plan", (Status.DRAFT,), Status.PLANNED, who=MANAGERS,
               guards=(has_a_plan,), after=(tell("release-planned", "is planned"),),
               refusal="Only a draft release can be planned; {reference} is {state}.",
               conditions="the dates testing starts and it goes live"),
    Transition("start-test", "Start testing", (Status.PLANNED,), Status.TESTING,
               who=MANAGERS, guards=(has_changes,), after=(
                   test_started, tell("release-in-test", "is in test")),
               refusal="Only a planned release can go into test; {reference} is {state}.",
               conditions="at least one change in it; an earlier test's result is cleared"),
    Transition("go", "Go: ready for live", (Status.TESTING,), Status.READY, who=MANAGERS,
               guards=(test_passed, changes_authorised, licences_cover), after=(
                   decided, tell("release-go", "is go for live")),
               refusal="Only a release in test can be given a go; {reference} is {state}.",
               conditions="its test passed, every change in it authorised, and each licence "
                          "its software is used under in force on the live date and "
                          "covering the use counted"),
    Transition("no-go", "No-go: back to planning", (Status.TESTING, Status.READY),
               Status.PLANNED, who=MANAGERS, after=(
                   decided, tell("release-no-go", "is no-go and back in planning")),
               refusal="Only a release in test or ready for live can be given a no-go; "
                       "{reference} is {state}.",
               conditions="with the reason"),
    Transition("go-live", "Go live", (Status.READY,), Status.LIVE, who=MANAGERS,
               guards=(changes_authorised,), after=(
                   went_live, tell("release-live", "is live")),
               refusal="Only a release ready for live (go) can go live; {reference} is "
                       "{state}.",
               conditions="every change in it still authorised; the date it went live is "
                          "kept"),
    Transition("close", "Close after review", (Status.LIVE,), Status.CLOSED, who=MANAGERS,
               after=(closed, tell("release-closed", "is closed")),
               refusal="Only a live release can be closed; {reference} is {state}.",
               conditions="with the review: did it deliver what was planned"),
    Transition("cancel", "Cancel", BEFORE_LIVE, Status.CANCELLED, who=MANAGERS,
               after=(tell("release-cancelled", "is cancelled"),),
               refusal="{reference} is {state}: only a release not yet live can be "
                       "cancelled.",
               conditions="with the reason"),
])
