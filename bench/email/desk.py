"""The benchmark's service desk, made with the demo's own functions: the demo councils and
their logins (`borough.demo.organisations.load`), Copeland's desk configuration — SLA
policies, priority matrix, categories — and ICT staff (`borough.demo.servicedesk.configure`
and `ensure_staff`), a directory of requesters (`ensure_requesters`), a mailbox, and the
tickets raised before the run that some messages answer. No ticket history: the desk
starts empty but for those. Runs in the benchmark's process, after django.setup()."""

from __future__ import annotations

import random
from dataclasses import dataclass
from unittest import mock

from django.db import transaction

ORGANISATION = "cbc"
MAILBOX = "ithelp@copeland.example.gov.uk"


@dataclass
class Desk:
    organisation: object
    mailbox: object
    team: object
    agent: object  # the demo agent, who answers tickets in the notifications phase
    people: list  # Person: the known senders, directory entries with an email address


def prepare(people: int, directory: int, *, seed: int = 1) -> Desk:
    """`directory` requesters in the council's directory (the sender of each message is
    looked up in it), `people` of them, spread through it, sending the known mail."""
    from borough.accounts.models import User
    from borough.core import services
    from borough.demo import organisations
    from borough.demo import servicedesk as demo
    from borough.mail.models import Mailbox
    from borough.organisation.models import Organisation, Person, Team

    # Nobody signs in during the benchmark: the demo's logins get no usable password,
    # which saves hashing one for each (a second apiece at Django's PBKDF2 rounds).
    with mock.patch.object(User, "set_password", lambda user, raw: user.set_unusable_password()):
        organisations.load("")
    organisation = Organisation.objects.get(code=ORGANISATION)
    with transaction.atomic():
        demo.configure(organisation)
        demo.ensure_staff(organisation)
        created = demo.ensure_requesters(organisation, random.Random(f"email-{seed}"),
                                         max(people, directory))
        mailbox = services.create_record(
            Mailbox(organisation=organisation, name="ICT service desk", address=MAILBOX,
                    is_default=True), actor=None)
    everyone = list(Person.objects.filter(pk__in=[p.pk for p in created]).order_by("pk"))
    if len(everyone) < max(people, directory):
        raise RuntimeError(f"the demo made {len(everyone)} requesters, not {directory}")
    step = len(everyone) // people
    senders = everyone[::step][:people]
    return Desk(organisation, mailbox, Team.objects.get(organisation=organisation,
                                                        name="Service Desk"),
                User.objects.get(username=f"{ORGANISATION}-agent"), senders)


def raise_existing(desk: Desk, requesters: list[int], *, seed: int = 1) -> list[dict]:
    """Tickets raised on the telephone before the run, with the Service Desk team; their
    acknowledgements go to the sink now. Returns what the replies to them need."""
    from django.contrib.contenttypes.models import ContentType

    from bench.email import workload
    from borough.mail.models import OutboundEmail
    from borough.servicedesk import services as desk_services
    from borough.servicedesk.models import Channel, Ticket

    rng = random.Random(f"existing-{seed}")
    tickets = []
    for index in requesters:
        tickets.append(desk_services.raise_ticket(
            desk.organisation.pk, actor=None, ticket_type="incident", title=rng.choice(workload.SUBJECTS),
            description=workload.text(rng, 2, 4), requester=desk.people[index], channel=Channel.PHONE,
            team=desk.team))
    acks = {e.thread_id: e for e in OutboundEmail.objects.filter(
        thread_type=ContentType.objects.get_for_model(Ticket),
        thread_id__in=[t.pk for t in tickets], event="ticket-created")}
    missing = [t.reference for t in tickets if t.pk not in acks or acks[t.pk].status != "sent"]
    if missing:
        raise RuntimeError(f"acknowledgements not sent for {missing[:5]}: is the sink up?")
    return [{"pk": t.pk, "reference": t.reference, "title": t.title,
             "ack_id": acks[t.pk].message_id, "ack_subject": acks[t.pk].subject,
             "root": acks[t.pk].in_reply_to} for t in tickets]
