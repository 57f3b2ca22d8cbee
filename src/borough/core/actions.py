"""Record actions: what people do to a record besides editing its fields (resolve a
ticket, sign off a rating, add a progress note), each declared once.

    TICKET = Actions(Ticket, lifecycle=lifecycle.TICKET, lock=_lock, save=_save)

    @TICKET.action("resolve", label="Resolve", form=forms.ResolveForm,
                   transition="resolve", success="Ticket resolved.")
    def resolve(ticket, *, actor, note):
        ...  # what the transition's declared effects do not: here, checking the note

The decorated function is the service (`services.resolve(ticket, actor=..., note=...)`,
with `expected_version=` and `idempotency_key=` too), and every caller — pages, the API,
email, jobs, tests — goes through the same run: the role permission (`permission`, a
model action) and who may (`who`, or the transition's), one transaction, the row locked,
the version the caller read checked (StaleVersionError), the transition checked (state,
who, guards) and applied with its effects after the body, the record saved and one audit
event written if it changed (its note is the action's label), an idempotency key claimed
so a retried request does the work once.

From the same declaration: the page endpoint (`core.views.actions`, HTMX and plain POST,
one `path()` per action), the API action on the model's viewset with its OpenAPI entry
(`core.api.actions`), the buttons a detail page shows (`available`), bulk runs (`many`)
and actions scheduled for later (core.ScheduledAction). Several approvers and a quorum are
declared on the transition (core.lifecycle.Approval; the `approve` action votes).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse

from borough.core import audit, scope
from borough.core.forms import DateTimeInput
from borough.core.lifecycle import Lifecycle, Who
from borough.core.models import AuditAction, SubmissionKey

CONTROL_FIELDS = ("version", "submission_key")


class ActionForm(forms.Form):
    """The input of a record action. Pages render it (GOV.UK markup) and validate posts
    with it; the API validates JSON with the same form, so both give the same messages.
    `record` and `user` are given, for choices that depend on them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    # Whether the page sends the version it read: yes for changes that must not cross
    # another person's (a status, an assignment); no for additions (a reply, a rating),
    # which never conflict. The API may send one either way.
    carries_version = True

    def __init__(self, data=None, files=None, *, record=None, user=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.record, self.user = record, user
        if not self.carries_version:
            del self.fields["version"]
        if record is not None:
            for name, field in self.fields.items():
                if isinstance(field.widget, DateTimeInput):
                    # A time sent back as the record shows it is the instant it holds
                    # (one in the hour the clocks go back, seconds and all).
                    field.widget.kept = getattr(record, name, None)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex
            if "version" in self.fields and getattr(record, "version", None) is not None:
                self.fields["version"].initial = record.version

    def service_fields(self) -> dict:
        """What the service is given: the cleaned fields, less the page's bookkeeping."""
        return {k: v for k, v in self.cleaned_data.items() if k not in CONTROL_FIELDS}

    @property
    def has_inputs(self) -> bool:
        return any(not f.is_hidden for f in self)


class NoInput(ActionForm):
    """An action that takes nothing but the version read (close, submit…)."""


@dataclass(eq=False)
class RecordAction:
    actions: Actions
    name: str
    label: str
    body: Callable | None
    form: type[ActionForm] = NoInput
    # The role permission needed on the model (view, add, change, delete), then who may.
    permission: str = "change"
    who: Who | None = None
    transition: str | None = None
    success: str | Callable[[object], str] = ""
    # What the service returns when it is not the record itself (a timeline entry…).
    returns: type[models.Model] | None = None
    # Offered only while the lifecycle's state is one of these (None: in any state); an
    # action with a transition is offered in the states that transition leaves.
    states: tuple[str, ...] | None = None
    danger: bool = False
    # Whether the model's viewset offers it as a POST action (off where the API already
    # has the same change another way, e.g. an upload through its own endpoint).
    api: bool = True
    # The note on the audit event, if any (the note typed with a transition wins).
    audit_note: str = ""
    # Whether the record's page draws its form; if not (reached by a link to its own
    # page), a failed post shows its own page again, with what was typed.
    on_record_page: bool = True

    # A template reads an action's label and name; calling it (it is the service) would
    # be wrong.
    do_not_call_in_templates = True

    @property
    def model(self) -> type[models.Model]:
        return self.actions.model

    @property
    def api_name(self) -> str:
        return self.name.replace("-", "_")

    def __repr__(self):
        return f"<RecordAction {self.model.__name__}.{self.name}>"

    def who_may(self) -> Who | None:
        if self.who is not None:
            return self.who
        if self.transition is not None:
            return self.actions.lifecycle[self.transition].who
        return None

    def message(self, result) -> str:
        return self.success(result) if callable(self.success) else (self.success or
                                                                    f"{self.label}: done.")

    # --- who may, from which state --------------------------------------------------------

    def permitted(self, actor, record) -> bool:
        """The role permission on the model in the record's organisation, and who may."""
        if actor is not None and not (actor.is_active and actor.is_superuser) and not scope.can(
                actor, self.permission, self.model, getattr(record, "organisation_id", None)):
            return False
        who = self.who_may()
        return who is None or who.allows(actor, record)

    def available_to(self, record, actor) -> bool:
        """Whether to offer it: permitted, and the record in a state the transition leaves
        (guards are checked, with their reasons, when it is done)."""
        if not self.permitted(actor, record):
            return False
        lifecycle = self.actions.lifecycle
        if self.transition is not None:
            return lifecycle.state_of(record) in lifecycle[self.transition].sources
        return self.states is None or lifecycle.state_of(record) in self.states

    def require(self, actor, record) -> None:
        """Refuse unless `actor` may: who may first (its words are the more telling), then
        the role permission on the model."""
        who = self.who_may()
        if who is not None and not who.allows(actor, record):
            raise who.refuse(record, "do that")
        if actor is not None and not (actor.is_active and actor.is_superuser) and not scope.can(
                actor, self.permission, self.model, getattr(record, "organisation_id", None)):
            raise PermissionDenied(
                f"Your role does not allow you to {self.label.lower()} "
                f"{self.model._meta.verbose_name_plural}.")

    # --- doing it -------------------------------------------------------------------------

    def __call__(self, record, /, *, actor, expected_version: int | None = None,
                 idempotency_key: str | None = None, **fields):
        # `record` is positional-only, so an action may take a field called "record".
        self.require(actor, record)
        key = _scoped_key(self, record, idempotency_key, actor)
        with transaction.atomic():
            if key is not None and not _claim(actor, key, self.model):
                return self._earlier(actor, key, record)
            locked = self.actions.lock(record)
            if expected_version is not None and getattr(locked, "version", None) != expected_version:
                from borough.core.services import StaleVersionError, changes_since

                raise StaleVersionError(locked, expected_version,
                                        changes_since(locked, expected_version))
            if self.transition is not None:
                self.actions.lifecycle.check(locked, self.transition, actor)
            before = audit.snapshot(locked)
            result = self.body(locked, actor=actor, **fields) if self.body else None
            if self.transition is not None:
                self._move(locked, actor, fields)
            typed = fields.get("note") or fields.get("reason") if self.transition else ""
            self.actions.save_changes(locked, actor, before, note=typed or self.audit_note)
            if key is not None:
                done = result if self.returns and isinstance(result, self.returns) else locked
                SubmissionKey.objects.filter(user=actor, key=key).update(object_id=done.pk)
        return result if result is not None else locked

    def _move(self, locked, actor, fields: dict) -> None:
        """Take the declared transition; one that needs approval counts this vote and
        moves only when it reaches the quorum (or a rejection when it declares one)."""
        lifecycle = self.actions.lifecycle
        transition = lifecycle[self.transition]
        note = fields.get("note") or fields.get("reason") or ""
        rest = {k: v for k, v in fields.items() if k not in ("note", "reason", "decision")}
        if transition.approval is None:
            lifecycle.apply(locked, transition.name, actor=actor, checked=True, note=note, **rest)
            return
        from borough.core import approvals

        decision = fields.get("decision") or "approve"
        counted = approvals.record_vote(locked, transition, actor=actor, decision=decision,
                                        note=note)
        rejection = transition.approval.rejected_by
        if decision == "reject" and rejection:
            lifecycle.apply(locked, rejection, actor=actor, checked=True, note=note, **rest)
        elif decision == "approve" and counted.reached:
            lifecycle.apply(locked, transition.name, actor=actor, checked=True, note=note, **rest)

    def _earlier(self, actor, key: str, record):
        """What the first request with this key gave (the same key again: done once)."""
        earlier = SubmissionKey.objects.filter(user=actor, key=key).first()
        model = self.returns or self.model
        found = model._default_manager.filter(pk=earlier.object_id).first() if earlier else None
        if found is None:  # the first is still running, or its result is gone
            raise ValidationError("This was sent twice; the first is being done. Reload the "
                                  "page to see it.")
        return found

    def many(self, records: Iterable, /, *, actor, **fields) -> tuple[list, list[tuple]]:
        """Do it to each record in its own transaction (bulk actions): what was done, and
        (record, reason) for each refused."""
        done, refused = [], []
        for record in records:
            try:
                done.append(self(record, actor=actor, **fields))
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                refused.append((record, reason))
        return done, refused


@dataclass
class Offer:
    """An action offered on a record's page: its URL (reversed when used), and its form
    bound with what was typed when a try just failed (else None: the page draws it)."""

    action: RecordAction
    url_name: str
    pk: int
    form: ActionForm | None = None

    @cached_property
    def url(self) -> str:
        return reverse(self.url_name, args=[self.pk])

    @property
    def label(self) -> str:
        return self.action.label


def offered(actions: Actions, record, user, url_base: str, forms: dict | None = None
            ) -> dict[str, Offer]:
    """The actions `user` may take on `record` now, by name (hyphens as underscores), for
    a page to draw: `url_base` is "<namespace>:<model>" of action_urls' names."""
    forms = forms or {}
    return {a.api_name: Offer(a, f"{url_base}_{a.api_name}", record.pk, forms.get(a.name))
            for a in actions.available(record, user)}


def failure(forms: dict | None) -> str:
    """The messages of the form whose action just failed, in one sentence, for a page's
    error summary (each is also shown beside its field where it has one)."""
    for form in (forms or {}).values():
        if form.errors:
            return " ".join(m for errors in form.errors.values() for m in errors)
    return ""


def _scoped_key(action: RecordAction, record, key: str | None, actor) -> str | None:
    """Keys are per user; scoped here to the action and record, so a key reused elsewhere
    never returns another action's result."""
    if not key or actor is None:
        return None
    return f"{action.model._meta.label_lower}.{action.name}:{record.pk}:{key}"[:100]


def _claim(actor, key: str, model) -> bool:
    from borough.core.services import claim_submission

    return claim_submission(actor, key, model) is not None


class Actions:
    """The record actions of one model, with the lifecycle they move it through, how its
    row is locked and how it is saved (a domain may keep derived totals as it saves)."""

    def __init__(self, model: type[models.Model], *, lifecycle: Lifecycle | None = None,
                 lock: Callable | None = None, save: Callable | None = None):
        self.model = model
        self.lifecycle = lifecycle
        self._lock = lock
        self._save = save
        self.by_name: dict[str, RecordAction] = {}

    def __iter__(self):
        return iter(self.by_name.values())

    def __getitem__(self, name: str) -> RecordAction:
        return self.by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def action(self, name: str, *, label: str, **options) -> Callable[[Callable], RecordAction]:
        """Declare an action whose service body is the decorated function."""

        def declare(body: Callable) -> RecordAction:
            declared = self.add(name, label=label, body=body, **options)
            declared.__doc__ = body.__doc__
            return declared

        return declare

    def add(self, name: str, *, label: str, body: Callable | None = None, **options
            ) -> RecordAction:
        """Declare an action (with no body of its own: a transition and its effects)."""
        if name in self.by_name:
            raise ValueError(f"{self.model.__name__} has two actions called {name}.")
        transition = options.get("transition")
        if transition is not None and (self.lifecycle is None
                                       or transition not in self.lifecycle.transitions):
            raise ValueError(f"{self.model.__name__}.{name} names transition {transition}, "
                             "which its lifecycle does not declare.")
        declared = RecordAction(self, name, label, body, **options)
        self.by_name[name] = declared
        return declared

    def available(self, record, actor) -> list[RecordAction]:
        return [a for a in self if a.available_to(record, actor)]

    def lock(self, record):
        if self._lock is not None:
            return self._lock(record)
        return self.model._default_manager.select_for_update().get(pk=record.pk)

    def save_changes(self, record, actor, before: dict, note: str = "") -> bool:
        """Save the locked record and write one audit event if anything changed."""
        changes = audit.diff(before, audit.snapshot(record))
        if not changes:
            return False
        record.version += 1
        if hasattr(record, "updated_by_id"):
            record.updated_by = actor if getattr(actor, "pk", None) else None
        if self._save is not None:
            self._save(record)
        else:
            record.save()
        audit.record(record, AuditAction.UPDATE, actor=actor, changes=changes, note=note)
        return True

