"""Problem management and the knowledge base for the demo council (Copeland): the council's
cause categories and trend rules; the problem behind the desk's repeated Wi-Fi incidents in
the council chamber, investigated by five whys and recorded as a known error with its
workaround, with an open incident showing that workaround on its page; a guest Wi-Fi
problem already fixed and closed with its review; and a few knowledge articles, public
(in the portal) and for staff. Played through the services; safe to run again: a council
with problems is left as it is."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from borough.cmdb.models import CIClass, ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.knowledge import services as knowledge
from borough.knowledge.models import Article, Audience
from borough.organisation import models as org
from borough.problems import models as m
from borough.problems import services as problems
from borough.servicedesk import services as desk
from borough.servicedesk.models import Category, Ticket, TicketType

CAUSES = [
    ("Hardware failure", "A component failed or wore out."),
    ("Software defect", "A fault in software or firmware, ours or a supplier's."),
    ("Configuration", "A setting that was wrong, or changed without control."),
    ("Capacity", "Not enough of something: bandwidth, storage, licences, channels."),
    ("Supplier", "A failure in a service a supplier runs for us."),
    ("Human error", "A mistake in how something was done; the process is reviewed."),
]

WHYS = [
    "Why does the Wi-Fi drop in the council chamber? Laptops lose the staff network every "
    "few minutes during meetings.",
    "Why do they lose it? The chamber's access point restarts itself (its log shows a "
    "watchdog reboot each time).",
    "Why does it restart? Its memory fills up when more than about 40 devices join at once.",
    "Why does memory fill? Firmware 8.4 leaks memory for each roaming client (the vendor's "
    "advisory confirms it).",
    "Why is it on 8.4? The access points were not on the patch schedule, so the fixed 8.10 "
    "was never installed.",
]

WORKAROUND = ("Ask the user to join the CBC-Staff-5G network instead of CBC-Staff: the 5 GHz "
              "radio is on the second access point, which is not affected. If the chamber is "
              "full, restart the access point WHV-AP-CHAMBER from the controller between "
              "agenda items (about 90 seconds).")

ARTICLES = [
    ("Connecting to the staff Wi-Fi", Audience.PUBLIC,
     "Join CBC-Staff or CBC-Staff-5G with your council login.",
     "Choose the network CBC-Staff (or CBC-Staff-5G, which is faster in the council chamber "
     "and the meeting rooms).\n\nSign in with your council username and password, the ones "
     "you use for your laptop.\n\nIf it keeps dropping, forget the network and join it "
     "again. If it still drops, ask for help and say which room you are in.",
     "wifi wireless internet network connection drops"),
    ("Unlocking your account and changing your password", Audience.PUBLIC,
     "Locked out after too many tries? Wait 15 minutes, or reset it yourself.",
     "After five wrong passwords your account locks for 15 minutes: wait, then try again.\n\n"
     "To change a forgotten password, go to the self-service password page from any council "
     "PC's sign-in screen and answer your security questions.",
     "password locked out expired reset login sign in"),
    ("Adding a council printer to your laptop", Audience.PUBLIC,
     "Find the nearest printer and add it in three steps.",
     "Open Settings, then Bluetooth and devices, then Printers and scanners.\n\nChoose Add "
     "device and pick the printer whose name matches the label on it (like WHV-PRN-2F).\n\n"
     "Your print jobs wait at the printer until you tap your pass.",
     "printer printing print scanner"),
    ("Restarting a wireless access point from the controller", Audience.STAFF,
     "For the service desk: restart one access point without a site visit.",
     "Sign in to the wireless controller, open Access points, find the point by name (for "
     "example WHV-AP-CHAMBER) and choose Restart.\n\nIt comes back in about 90 seconds. Add "
     "a note to the ticket saying when you restarted it.",
     "access point restart reboot wifi controller"),
]


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    if not keeper:
        return {}
    with transaction.atomic():
        return {council.code: load_organisation(council, keeper)}


def _user(organisation, login):
    return get_user_model().objects.filter(username=f"{organisation.code}-{login}").first()


def load_organisation(organisation, keeper) -> int:
    """Everything above, once; returns how many problems it added."""
    if m.Problem.objects.filter(organisation=organisation).exists():
        return 0
    agent = _user(organisation, "agent") or keeper
    owner = org.Person.objects.filter(organisation=organisation, user=keeper).first()
    causes = {name: services.create_record(m.CauseCategory(
        organisation=organisation, name=name, description=text), actor=keeper)
        for name, text in CAUSES}
    services.create_record(m.TrendRule(
        organisation=organisation, name="Same configuration item, four weeks",
        group_by=m.GroupBy.CI, window_days=28, min_incidents=3), actor=keeper)
    services.create_record(m.TrendRule(
        organisation=organisation, name="Same category, two weeks",
        group_by=m.GroupBy.CATEGORY, window_days=14, min_incidents=8), actor=keeper)
    _articles(organisation, keeper, owner)

    access_point = _access_point(organisation, keeper)
    wifi = Category.objects.filter(organisation=organisation, name="Wi-Fi",
                                   ticket_type=TicketType.INCIDENT).first()
    chamber = list(Ticket.objects.filter(
        organisation=organisation, ticket_type=TicketType.INCIDENT,
        title__icontains="council chamber").order_by("-created_at")[:6])
    # One still open, on the chamber's access point: its page shows the workaround.
    requester = org.Person.objects.filter(organisation=organisation, user__isnull=True).first()
    if requester is not None:
        chamber.insert(0, desk.raise_ticket(
            organisation.pk, actor=agent, ticket_type=TicketType.INCIDENT,
            title="Wi-Fi dropping in the council chamber",
            description="The Wi-Fi in the council chamber drops every few minutes during "
                        "the planning committee; the webcast stalls each time.",
            requester=requester, category=wifi, ci=access_point, urgency=2))
    problem = problems.raise_problem(m.Problem(
        organisation=organisation, title="Wi-Fi in the council chamber drops every few minutes",
        description="Repeated incidents since the spring: laptops in the council chamber lose "
                    "the staff Wi-Fi during meetings, and the webcast of meetings stalls.",
        priority=m.Priority.HIGH, owner=owner, method=m.Method.FIVE_WHYS),
        actor=agent, incidents=chamber, cis=[access_point] if access_point else [])
    problem = problems.investigate(problem, actor=agent, note="Started from the trend page.")
    for position, text in enumerate(WHYS, start=1):
        services.create_record(m.AnalysisStep(organisation=organisation, problem=problem,
                                              position=position, text=text), actor=agent)
    problem = services.update_record(problem, actor=agent, expected_version=None, data={
        "root_cause": "Access point firmware 8.4 leaks memory for each roaming client; the "
                      "access points were left off the patch schedule.",
        "cause_category": causes["Software defect"]})
    problems.record_known_error(
        problem, actor=agent, workaround=WORKAROUND,
        symptoms="Wi-Fi drops every few minutes in the council chamber or a full meeting "
                 "room; laptops lose the staff network; the meeting webcast stalls.")

    guest = problems.raise_problem(m.Problem(
        organisation=organisation, title="Guest Wi-Fi does not accept the daily code",
        description="Visitors could not join the guest Wi-Fi with the day's code.",
        priority=m.Priority.MEDIUM, owner=owner, method=m.Method.TIMELINE,
        root_cause="The guest portal's clock drifted, so the day's code had expired.",
        cause_category=causes["Configuration"],
        workaround="Give visitors the previous day's code."), actor=agent, incidents=list(
        Ticket.objects.filter(organisation=organisation, ticket_type=TicketType.INCIDENT,
                              title__icontains="guest wi-fi").order_by("-created_at")[:3]))
    now = timezone.now()
    for hours, text in ((30, "Reception reports the day's code refused."),
                        (29, "The guest portal's clock found 26 hours behind."),
                        (28, "Clock set from the council's time server; codes accepted.")):
        services.create_record(m.AnalysisStep(
            organisation=organisation, problem=guest, position=31 - hours,
            happened_at=now - datetime.timedelta(hours=hours), text=text), actor=agent)
    guest = problems.investigate(guest, actor=agent)
    guest = problems.resolve(guest, actor=agent, resolve_incidents=True,
                             note="The guest portal now takes its time from the council's "
                                  "time server, and an alert fires if it drifts.")
    problems.close(guest, actor=keeper, note="No refused codes in the month since; the time "
                                             "check is now part of the monthly health check.")
    return 2


def _access_point(organisation, keeper):
    found = ConfigurationItem.objects.filter(organisation=organisation,
                                             name="WHV-AP-CHAMBER").first()
    if found is not None:
        return found
    device = CIClass.objects.filter(organisation=organisation, code="network-device").first()
    if device is None:
        return None
    return services.create_record(ConfigurationItem(
        organisation=organisation, ci_class=device, name="WHV-AP-CHAMBER",
        description="Wireless access point in the council chamber, The Copeland Centre."),
        actor=keeper)


def _articles(organisation, keeper, owner) -> None:
    if owner is None or Article.objects.filter(organisation=organisation).exists():
        return
    review = timezone.localdate() + datetime.timedelta(days=180)
    for title, audience, summary, body, keywords in ARTICLES:
        article = services.create_record(Article(
            organisation=organisation, title=title, audience=audience, summary=summary,
            body=body, keywords=keywords, owner=owner, review_on=review), actor=keeper)
        knowledge.publish(article, actor=keeper)
