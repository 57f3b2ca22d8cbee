"""Matching the words a ticket was raised with ("Payroll server", "CI-000123") to the
configuration item or business service they name, in the ticket's own organisation.

A text matches a record by its exact reference first ("CI-000123", or "CI-000123 Payroll"
as the suggestions read), then by its name, ignoring case. A name two records share is
ambiguous and left unmatched, as is a text nothing matches: the text stays on the ticket
either way ("as reported"). Only tickets not yet linked are touched.

Plain functions over the models they are given, so the data migration runs them with
the historical models and `borough match_ticket_links` with today's. The work goes by
distinct text, in batches: one query for a batch of distinct texts, two for the records
they could name, and one update per text matched (per BATCH tickets), so a table of a
million tickets that say "Payroll" two hundred thousand times is a few updates, not a
million saves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower

# A reference at the start of the text: "CI-000123" or "CI-000123 Payroll server", as
# the choosing box's suggestions read.
from borough.core.suggestions import LEADING_REFERENCE

BATCH = 1000


@dataclass
class Outcome:
    """What a run did, per kind of record."""

    linked_tickets: int = 0
    matched_texts: int = 0
    unmatched_texts: int = 0
    ambiguous_texts: int = 0
    examples_unmatched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"linked_tickets": self.linked_tickets, "matched_texts": self.matched_texts,
                "unmatched_texts": self.unmatched_texts,
                "ambiguous_texts": self.ambiguous_texts}


@dataclass(frozen=True)
class Target:
    """One link to fill: the ticket's text field, its foreign key, the records' model."""

    text_field: str  # "configuration_item"
    link_field: str  # "ci"
    model: type


def reference_in(text: str) -> str | None:
    found = LEADING_REFERENCE.match(text or "")
    return found.group(1).upper() if found else None


def resolve(records, texts: list[str]) -> tuple[dict[str, int], set[str]]:
    """For texts of one organisation (`records`: that organisation's records), the id
    each text names, and the texts that name more than one record."""
    keys = {text: text.strip() for text in texts}
    references = {text: reference_in(key) for text, key in keys.items()}
    by_reference = dict(records.filter(
        reference__in={r for r in references.values() if r}).values_list("reference", "pk"))
    lowered = {key.lower() for key in keys.values() if key}
    by_name: dict[str, list[int]] = defaultdict(list)
    for name, pk in (records.annotate(lname=Lower("name")).filter(lname__in=lowered)
                     .values_list("lname", "pk")):
        by_name[name].append(pk)
    found, ambiguous = {}, set()
    for text, key in keys.items():
        if references[text] in by_reference:
            found[text] = by_reference[references[text]]
        elif len(by_name.get(key.lower(), ())) == 1:
            found[text] = by_name[key.lower()][0]
        elif len(by_name.get(key.lower(), ())) > 1:
            ambiguous.add(text)
    return found, ambiguous


def match(tickets, target: Target, *, organisation_id: int | None = None,
          batch: int = BATCH, linked: Callable | None = None) -> Outcome:
    """Link every unlinked ticket whose `target.text_field` names one record of its
    organisation. `tickets`: the ticket model's manager or queryset. `linked(record_id,
    ticket_ids)` is called after each batch of tickets is linked (the command writes their
    audit events there)."""
    outcome = Outcome()
    text, link = target.text_field, target.link_field
    pending = tickets.filter(**{f"{link}__isnull": True}).exclude(**{text: ""})
    if organisation_id is not None:
        pending = pending.filter(organisation_id=organisation_id)
    after = None  # keyset: (organisation id, text) of the last pair read
    while True:
        pairs = pending.order_by("organisation_id", text)
        if after is not None:
            pairs = pairs.filter(Q(organisation_id__gt=after[0])
                                 | Q(organisation_id=after[0], **{f"{text}__gt": after[1]}))
        pairs = list(pairs.values_list("organisation_id", text).distinct()[:batch])
        if not pairs:
            return outcome
        after = pairs[-1]
        by_organisation: dict[int, list[str]] = defaultdict(list)
        for org_id, words in pairs:
            by_organisation[org_id].append(words)
        for org_id, texts in by_organisation.items():
            records = target.model._default_manager.filter(organisation_id=org_id)
            found, ambiguous = resolve(records, texts)
            outcome.ambiguous_texts += len(ambiguous)
            for words in texts:
                if words not in found:
                    outcome.unmatched_texts += 1
                    if len(outcome.examples_unmatched) < 20:
                        outcome.examples_unmatched.append(words)
                    continue
                outcome.matched_texts += 1
                outcome.linked_tickets += _link(
                    pending.filter(organisation_id=org_id, **{text: words}), link,
                    found[words], batch, linked)


def _link(tickets, link: str, record_id: int, batch: int, linked) -> int:
    """Point `tickets` at the record, BATCH at a time, raising each one's version so a
    page opened before sees that the ticket changed."""
    done = 0
    while True:
        ids = list(tickets.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        with transaction.atomic():  # a batch and its audit events together
            tickets.model._default_manager.filter(pk__in=ids).update(
                **{f"{link}_id": record_id}, version=F("version") + 1)
            if linked is not None:
                linked(record_id, ids)
        done += len(ids)
