"""Service status for the demo council, played through the services: an email outage
announced from a major incident two days ago and resolved with it (its times moved back
afterwards, the demo's only shortcut, so the history reads as it would have), planned
work on Payroll next week, and the requester subscribed to Email and Payroll. Safe to
run again: a council with announcements is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.demo import organisations
from borough.organisation import models as org
from borough.servicedesk import services as desk
from borough.servicedesk.models import TicketType
from borough.status import services
from borough.status.models import Announcement, AnnouncementUpdate


def load(now=None) -> dict[str, int]:
    council, _ = organisations.copeland_keeper()
    if council is None or Announcement.objects.filter(organisation=council).exists():
        return {}
    with transaction.atomic():
        return {council.code: load_organisation(council, now or timezone.now())}


def _login(organisation, name):
    return get_user_model().objects.filter(username=f"{organisation.code}-{name}").first()


def load_organisation(council, now) -> int:
    agent, requester = _login(council, "agent"), _login(council, "requester")
    by_name = {s.name: s for s in BusinessService.objects.filter(
        organisation=council, name__in=["Email", "Payroll"])}
    if agent is None or len(by_name) < 2:
        return 0
    email, payroll = by_name["Email"], by_name["Payroll"]
    for service in (email, payroll):
        if requester is not None:
            services.subscribe(service, actor=requester)
    person = org.Person.objects.filter(organisation=council, user=requester).first() or \
        org.Person.objects.filter(organisation=council).first()

    ticket = desk.raise_ticket(
        council.pk, actor=agent, ticket_type=TicketType.INCIDENT,
        title="Email down for everyone at the Copeland Centre",
        description="Outlook cannot connect; calls coming in from every floor.",
        requester=person, service=email, impact=1, urgency=1, notify_requester=False)
    ticket = desk.set_major_incident(ticket, actor=agent)
    outage = services.announce_outage(
        ticket, actor=agent, title="Email is not working",
        description="Nobody can send or receive email. Use Teams or the telephone "
                    "meanwhile; there is no need to report it.")
    services.post_update(outage, actor=agent,
                         body="The mail server's storage is full; engineers are clearing "
                              "space. We expect email back within the hour.")
    ticket.refresh_from_db()
    desk.resolve(ticket, actor=agent, note="Storage cleared and the mail server restarted.",
                 code_required=False)
    # Two days ago, 1 hour 35 minutes long: the records above, moved back in time.
    began = (now - timedelta(days=2)).replace(hour=9, minute=10, second=0, microsecond=0)
    Announcement.objects.filter(pk=outage.pk).update(
        starts_at=began, resolved_at=began + timedelta(minutes=95),
        created_at=began + timedelta(minutes=10))
    updates = list(AnnouncementUpdate.objects.filter(announcement=outage).order_by("id"))
    for offset, update in zip((45, 95), updates, strict=False):
        AnnouncementUpdate.objects.filter(pk=update.pk).update(
            created_at=began + timedelta(minutes=offset))

    starts = (now + timedelta(days=6)).replace(hour=18, minute=0, second=0, microsecond=0)
    services.announce_planned(
        council, [payroll], starts, starts + timedelta(hours=3),
        "Payroll upgrade: the payroll system is unavailable", by=agent,
        description="The supplier installs this year's tax changes. Payslips already "
                    "issued are not affected.")
    return Announcement.objects.filter(organisation=council).count()
