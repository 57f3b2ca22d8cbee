"""Threading: every email about a record answers one thread root, and a message that
answers any of Borough's emails leads back to the record they were about.

Records are named generically (content type and id): mail knows no module's models. The
root is the Message-ID of the email that opened the record, or one made up from it,
`<{model name}-{id}.{organisation}@MAIL_DOMAIN>` (for a ticket: `<ticket-12.3@...>`, as
Borough has always written them, so replies to emails sent before still find theirs)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from borough.mail.models import InboundMessage, OutboundEmail, Outcome

MADE_UP = re.compile(r"<([a-z][a-z0-9_]*)-(\d{1,18})\.(\d{1,18})@(.+)>", re.ASCII)


def made_up_root(model_name: str, pk: int, organisation_id: int) -> str:
    return f"<{model_name}-{pk}.{organisation_id}@{settings.MAIL_DOMAIN}>"


def thread_root(thread_type_id: int, thread_id: int, organisation_id: int) -> str:
    """The Message-ID every email about the record answers: the email that opened it,
    or one made up from the record, so all of them thread together."""
    opened = (InboundMessage.objects.filter(thread_type_id=thread_type_id, thread_id=thread_id,
                                            outcome=Outcome.TICKET)
              .order_by("id").values_list("message_id", flat=True).first())
    if opened:
        return opened
    model_name = ContentType.objects.get_for_id(thread_type_id).model
    return made_up_root(model_name, thread_id, organisation_id)


def _label(thread_type_id: int) -> str:
    content_type = ContentType.objects.get_for_id(thread_type_id)  # cached per process
    return f"{content_type.app_label}.{content_type.model}"


def records_answered(organisation_id: int, message_ids) -> tuple[tuple[str, int], ...]:
    """The records that emails with these Message-IDs were about, nearest first (the
    order of `message_ids`), as ("app_label.model", id): the emails Borough sent and the
    messages it received for the organisation, and the roots it made up for them."""
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return ()
    known = {}
    for model in (OutboundEmail, InboundMessage):  # what Borough sent answers first
        rows = (model.objects.filter(organisation_id=organisation_id, message_id__in=ids,
                                     thread_type__isnull=False)
                .values_list("message_id", "thread_type_id", "thread_id"))
        for message_id, type_id, pk in rows:
            known.setdefault(message_id, (_label(type_id), pk))
    found: list[tuple[str, int]] = []
    for message_id in ids:
        found += _made_up(message_id, organisation_id)
        if message_id in known:
            found.append(known[message_id])
    return tuple(dict.fromkeys(found))


def _made_up(message_id: str, organisation_id: int) -> list[tuple[str, int]]:
    match = MADE_UP.fullmatch(message_id)
    if not match or match.group(4) != settings.MAIL_DOMAIN \
            or int(match.group(3)) != organisation_id:
        return []
    model_name, pk = match.group(1), int(match.group(2))
    # A model name may belong to more than one app: each is a candidate, and the handler
    # of each checks its own records.
    return [(f"{app_label}.{model_name}", pk) for app_label in ContentType.objects
            .filter(model=model_name).order_by("app_label").values_list("app_label", flat=True)]
