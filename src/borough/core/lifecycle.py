"""Declared lifecycles: a model's states and the transitions between them, said once.

    TICKET = Lifecycle(Ticket, "status", on_move=run_the_clock, transitions=[
        Transition("resolve", "Resolve", OPEN, Status.RESOLVED, who=STAFF,
                   before=(respond_now,), after=(stamp_resolution, tell_requester)),
        ...
    ])

A transition names where it goes from (`sources`) and to (`target`), who may take it
(`who`), the conditions it needs (`guards`, each giving a refusal in words or None) and its
side effects (`before` the state changes, `after` it; the lifecycle's `on_move` runs for
every transition in between). From the declaration come the checks with clear messages
(`check`, `apply`), what a user may do from the current state (`available`), approvals by
several people with a quorum (`Approval`, votes in `core.ApprovalVote`), the record
actions that perform transitions (core.actions) and a diagram with its text equivalent
(`rows`, core.diagrams) for the docs and the admin.

`apply` changes the record in memory and runs the effects; the caller (a record action,
core.actions) holds the row lock and saves, audits and commits, so a transition is atomic
and single-winner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class Who:
    """Who may do something: `test(actor, record)`, with the words for the docs (`text`)
    and for a refusal. `None` as the actor is Borough itself (jobs, mail, demo data), which
    may always; a platform superuser passes what their permissions pass. Combine with `|`."""

    text: str
    test: Callable[[object, models.Model], bool]
    refusal: str = ""

    def allows(self, actor, record) -> bool:
        return actor is None or bool(self.test(actor, record))

    def refuse(self, record, doing: str) -> PermissionDenied:
        return PermissionDenied(self.refusal or f"Only {self.text} can {doing}.")

    def __or__(self, other: Who) -> Who:
        return Who(f"{self.text} or {other.text}",
                   lambda actor, record: self.test(actor, record) or other.test(actor, record),
                   other.refusal or self.refusal)


def permission(perm: str, text: str, refusal: str = "") -> Who:
    """Whoever holds `perm` ("app.codename") in the record's organisation."""
    return Who(text, lambda actor, record: actor.has_perm(perm, record), refusal)


def model_permission(action: str, text: str, refusal: str = "") -> Who:
    """Whoever may `action` (view, add, change, delete…) the record's model there."""
    from borough.core import scope

    return Who(text, lambda actor, record: scope.can(
        actor, action, type(record), getattr(record, "organisation_id", None)), refusal)


ANYONE = Who("anyone who may see it", lambda actor, record: True)


@dataclass
class Move:
    """What a transition's effects are given: the record (locked, in memory), the
    transition, who, when, the note typed with it and the action's other fields."""

    record: models.Model
    transition: Transition
    actor: object
    now: datetime
    old: str
    note: str = ""
    fields: dict = field(default_factory=dict)

    @property
    def new(self) -> str:
        return self.transition.target


Effect = Callable[[Move], None]
# A condition: the reason the record cannot take the transition now, in words, or None.
Guard = Callable[[models.Model, object], "str | None"]


@dataclass(frozen=True)
class Approval:
    """The transition happens once `quorum` people it allows (its `who`) have approved it,
    each once; a rejection by any of them takes the transition `rejected_by`, if set.
    Votes are kept in core.ApprovalVote, for the current stay in the source state."""

    quorum: int | Callable[[models.Model], int] = 1
    rejected_by: str | None = None

    def needed(self, record) -> int:
        return self.quorum(record) if callable(self.quorum) else self.quorum


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: Who = ANYONE
    guards: tuple[Guard, ...] = ()
    before: tuple[Effect, ...] = ()
    after: tuple[Effect, ...] = ()
    # Said when the record is in a state this transition does not leave, e.g.
    # "Only a resolved ticket can be closed; {reference} is {state}." ({reference},
    # {state} and {target} are filled in); without it, the lifecycle's general sentence.
    refusal: str = ""
    approval: Approval | None = None
    # What the conditions are, in words, for the diagram's text equivalent.
    conditions: str = ""


@dataclass(frozen=True)
class EditTakes:
    """An edit that changes what a state vouches for takes a transition with it: changing
    an agreed SLA's targets, hours or contacts returns it to draft (what the head of
    service signed is no longer what it says), in the same write and audit event, whose
    note says why ("Returned to draft: targets changed"). `fields`: field name → the
    words for what it is part of ("targets"); many-to-many fields count, and so may
    parts kept in other rows (a business case's "options"), named by the service that
    changes them (core.services.record_parts_changed). `transition` is taken from
    `states` only, by whoever may make the edit (core.services.update_record applies
    it)."""

    transition: str
    states: tuple[str, ...]
    fields: dict[str, str]
    note: str = "Returned to {target}: {what} changed."

    def changed(self, names) -> list[str]:
        """The words for what the changed fields `names` are part of, in order, once each."""
        return list(dict.fromkeys(self.fields[n] for n in self.fields if n in names))


def _listeners(model, name: str) -> list:
    """Other apps' listeners to this transition (registry.on_transition)."""
    from borough.core.registry import registry

    return registry.transition_listeners.get((model, name), [])


class Lifecycle:
    """The states of `model`'s `field` (its choices) and the transitions between them;
    `on_edit`, the transitions an edit of some fields takes (EditTakes)."""

    def __init__(self, model: type[models.Model], field_name: str, *,
                 transitions: Iterable[Transition], on_move: Effect | None = None,
                 on_edit: Iterable[EditTakes] = ()):
        self.model = model
        self.field = field_name
        self.transitions = {t.name: t for t in transitions}
        self.on_move = on_move
        self.on_edit = tuple(on_edit)
        choices = model._meta.get_field(field_name).choices or ()
        self.states = {value: str(label) for value, label in choices}
        for t in self.transitions.values():
            unknown = {*t.sources, t.target} - set(self.states)
            if unknown:
                raise ValueError(f"{model.__name__} transition {t.name} names states "
                                 f"{sorted(unknown)} that {field_name} does not have.")

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def state_of(self, record) -> str:
        return getattr(record, self.field)

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def _words(self, record, transition: Transition | None, target: str = "") -> dict:
        state = self.state_of(record)
        return {"reference": getattr(record, "reference", "") or str(record),
                "state": self.label(state).lower(),
                "target": self.label(target or (transition.target if transition else "")).lower(),
                "model": record._meta.verbose_name}

    def refusal(self, record, transition: Transition | None, target: str = "") -> str:
        words = self._words(record, transition, target)
        if transition is not None and transition.refusal:
            return transition.refusal.format(**words)
        return "A {model} that is {state} cannot become {target}.".format(**words)

    # --- reading ------------------------------------------------------------------------

    def leaving(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def available(self, record, actor) -> list[Transition]:
        """The transitions `actor` may take from the record's state. Guards are not run
        (they may need queries): they are checked, with their reason, when applied."""
        state = self.state_of(record)
        return [t for t in self.leaving(state) if t.who.allows(actor, record)]

    def to(self, record, target: str, actor) -> Transition:
        """The transition that takes the record from its state to `target`, for `actor`:
        the first one they may take; refused in words when there is none."""
        if target not in self.states:
            raise ValidationError({self.field: f"Choose a {self.field} from the list."})
        going = [t for t in self.leaving(self.state_of(record)) if t.target == target]
        if not going:
            # The one transition into `target` says why in its own words; several, the
            # general sentence.
            named = [t for t in self.transitions.values() if t.target == target]
            raise ValidationError(self.refusal(record, named[0] if len(named) == 1 else None,
                                               target))
        allowed = [t for t in going if t.who.allows(actor, record)]
        if not allowed:
            raise going[0].who.refuse(record, going[0].label.lower())
        return allowed[0]

    # --- changing -----------------------------------------------------------------------

    def check(self, record, name: str, actor) -> Transition:
        """Refuse, in words, unless `actor` may take transition `name` from the record's
        state now: PermissionDenied for who, ValidationError for state and guards."""
        transition = self.transitions[name]
        if not transition.who.allows(actor, record):
            raise transition.who.refuse(record, transition.label.lower())
        if self.state_of(record) not in transition.sources:
            raise ValidationError(self.refusal(record, transition))
        for guard in transition.guards:
            reason = guard(record, actor)
            if reason:
                raise ValidationError(reason)
        return transition

    def apply(self, record, name: str, *, actor, note: str = "", now: datetime | None = None,
              checked: bool = False, **fields) -> Move:
        """Check, then take the transition on the record in memory: its `before` effects,
        the new state, `on_move`, its `after` effects. The caller holds the row lock and
        saves (core.actions does both). Current approval votes end with the old state."""
        transition = self.transitions[name] if checked else self.check(record, name, actor)
        move = Move(record, transition, actor, now or timezone.now(), self.state_of(record),
                    note or "", fields)
        for effect in transition.before:
            effect(move)
        setattr(record, self.field, transition.target)
        if self.on_move is not None:
            self.on_move(move)
        for effect in transition.after:
            effect(move)
        for listener in _listeners(type(record), transition.name):
            listener(move)
        if any(t.approval for t in self.leaving(move.old)):
            from borough.core.approvals import close_votes

            close_votes(record)
        return move

    def after_edit(self, record, changed_fields, *, actor, now: datetime | None = None
                   ) -> str:
        """Take the transitions the edit of `changed_fields` calls for (on_edit) on the
        record in memory, within the caller's write; the audit note in words, or ""."""
        notes = []
        for rule in self.on_edit:
            if self.state_of(record) not in rule.states:
                continue
            what = rule.changed(changed_fields)
            if not what:
                continue
            move = self.apply(record, rule.transition, actor=actor, now=now, checked=True)
            words = what[0] if len(what) == 1 else f"{', '.join(what[:-1])} and {what[-1]}"
            notes.append(rule.note.format(target=self.label(move.new).lower(), what=words))
        return " ".join(notes)

    def edit_warning(self, record) -> str:
        """What saving a change would do to the record's state (on_edit), said on its edit
        page before anyone saves; "" when nothing."""
        for rule in self.on_edit:
            if self.state_of(record) in rule.states:
                what = list(dict.fromkeys(rule.fields.values()))
                words = f"{', '.join(what[:-1])} or {what[-1]}" if len(what) > 1 else what[0]
                target = self.label(self.transitions[rule.transition].target).lower()
                return (f"This {record._meta.verbose_name} is "
                        f"{self.label(self.state_of(record)).lower()}. Saving a change to its "
                        f"{words} returns it to {target}.")
        return ""

    # --- the text equivalent of the diagram ---------------------------------------------

    def rows(self) -> list[dict]:
        """One row per transition: from, action, to, who may, conditions."""
        rows = []
        for t in self.transitions.values():
            conditions = [t.conditions] if t.conditions else []
            if t.approval is not None:
                quorum = t.approval.quorum
                count = "a set number" if callable(quorum) else str(quorum)
                conditions.append(f"approved by {count} of {t.who.text}")
            rows.append({"name": t.name, "label": t.label,
                         "from": [self.label(s) for s in t.sources], "to": self.label(t.target),
                         "who": t.who.text, "conditions": "; ".join(conditions)})
        return rows
