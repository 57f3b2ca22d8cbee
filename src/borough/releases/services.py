"""Writes for release management (docs/releases.md). A release's moves are record actions
on its lifecycle (`lifecycle.RELEASE`): plan, start testing, record the test result, go,
no-go, go live, close with the review, cancel. Creating and editing a release, and its
software, are core.services' create and change (the form and the API check its changes
with `queries.changes_errors`); `create_release` is the same for callers with the
changes in hand (the demo, imports)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core import services
from borough.core.actions import Actions
from borough.releases import forms, queries
from borough.releases.lifecycle import MANAGERS, RELEASE
from borough.releases.models import Release, Status, TestResult

__all__ = ["RELEASE_ACTIONS", "create_release"]


def _lock(release: Release) -> Release:
    return (Release.objects.select_for_update(of=("self",)).select_related("owner__user")
            .get(pk=release.pk))


RELEASE_ACTIONS = Actions(Release, lifecycle=RELEASE, lock=_lock)


def _required(value: str, name: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationError({name: message})


plan = RELEASE_ACTIONS.add(
    "plan", label="Plan", transition="plan", permission="view",
    success=lambda r: f"{r.reference} is planned.")

start_test = RELEASE_ACTIONS.add(
    "start-test", label="Start testing", transition="start-test", permission="view",
    success=lambda r: f"{r.reference} is in test.")


@RELEASE_ACTIONS.action("record-test", label="Record the test result",
                        form=forms.TestResultForm, who=MANAGERS, permission="view",
                        states=(Status.TESTING,),
                        success=lambda r: f"{r.reference}: test {r.test_result} recorded.")
def record_test(release: Release, *, actor, result: str, notes: str) -> None:
    """The test stage's result, passed or failed, with what was tested and found. A later
    result replaces it (the history keeps both)."""
    if result not in TestResult.values:
        raise ValidationError({"result": "Choose passed or failed."})
    _required(notes, "notes", "Say what was tested and what was found.")
    release.test_result = result
    release.test_notes = notes.strip()
    release.tested_at = timezone.now()


go = RELEASE_ACTIONS.add(
    "go", label="Go: ready for live", transition="go", form=forms.NoteForm,
    permission="view", success=lambda r: f"{r.reference} is go: ready for live.")


@RELEASE_ACTIONS.action("no-go", label="No-go: back to planning", transition="no-go",
                        form=forms.ReasonForm, permission="view", danger=True,
                        success=lambda r: f"{r.reference} is no-go and back in planning.")
def no_go(release: Release, *, actor, note: str) -> None:
    """Not ready: back to planning with the reason its owner and change owners read."""
    _required(note, "note", "Give the reason: the release's owner reads it.")


go_live = RELEASE_ACTIONS.add(
    "go-live", label="Go live", transition="go-live", form=forms.LiveForm,
    permission="view", success=lambda r: f"{r.reference} is live.")


@RELEASE_ACTIONS.action("close", label="Close after review", transition="close",
                        form=forms.ReviewForm, permission="view",
                        success=lambda r: f"{r.reference} is closed.")
def close(release: Release, *, actor, review: str) -> None:
    """The review (did it deliver what was planned), then closed."""
    _required(review, "review", "Write the review: did it deliver what was planned, what "
                                "went well or badly, what to do differently.")


@RELEASE_ACTIONS.action("cancel", label="Cancel", transition="cancel", form=forms.ReasonForm,
                        permission="view", danger=True,
                        success=lambda r: f"{r.reference} is cancelled.")
def cancel(release: Release, *, actor, note: str) -> None:
    """Cancelled before it went live, with the reason. Its changes are free for another
    release."""
    _required(note, "note", "Give the reason.")


def create_release(release: Release, *, actor, changes=(), idempotency_key=None) -> Release:
    """A new release with its changes, checked as the form checks them."""
    problems = queries.changes_errors(release, changes)
    if problems:
        raise ValidationError({"changes": problems})
    return services.create_record(release, actor=actor, idempotency_key=idempotency_key,
                                  many_to_many={"changes": list(changes)})
