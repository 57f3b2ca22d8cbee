"""Demo service desk: the desk's configuration and about four months of tickets.

`load()` gives each demo council SLA policies, the priority matrix, categories,
canned responses, desk settings, a few more ICT staff, a staff directory of
requesters and a history of tickets, so the queues, the portal and the
statistics page have something to show on first run. It is safe to run again:
configuration is looked up before it is created, and the ticket history is
only generated for a council that has no tickets yet.

The demo plans each ticket's life — when it arrives, who takes it, when they answer
and resolve it — and hands the lives to `servicedesk.services.import_history`,
which plays them by the desk's own SLA rules and writes them in bulk with their
past times, timelines and audit history (servicedesk/history.py says how).

The story told by the numbers: a desk that falls behind for three months (backlog
growing, one ticket in five breaching its SLA) and a helpdesk improvement project
in the last month that clears the backlog and brings compliance and satisfaction up.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from borough.accounts.models import Membership, User
from borough.core import audit, roles, services
from borough.core.models import AuditAction
from borough.organisation import models as org_models
from borough.servicedesk import queries
from borough.servicedesk import services as desk_services
from borough.servicedesk.models import (
    DEFAULT_MATRIX,
    CannedResponse,
    Category,
    Channel,
    DeskSettings,
    PriorityRule,
    SLAPolicy,
    Status,
    Ticket,
    TicketType,
)

# An unsaved ticket and its dated operations: (time, operation, arguments).
Life = tuple[Ticket, list]

HISTORY_WEEKS = 17  # about four months
PROJECT_DAYS = 35  # the helpdesk improvement project started this many days ago
BUSINESS_DAY = 510  # minutes in the default working day, 08:30 to 17:00
BACKLOG_CLEARED_IN = 8 * BUSINESS_DAY  # business minutes the project took to clear the backlog

# Priority -> (name, response minutes, resolution minutes), all in business time.
SLA_TARGETS = {
    1: ("P1 – Critical", 30, 4 * 60),
    2: ("P2 – High", 60, 8 * 60),
    3: ("P3 – Medium", 4 * 60, 3 * BUSINESS_DAY),
    4: ("P4 – Low", BUSINESS_DAY, 5 * BUSINESS_DAY),
    5: ("P5 – Planning", 2 * BUSINESS_DAY, 20 * BUSINESS_DAY),
}

# Tickets per working day before weekday variation, per council code.
DAILY_RATE = {"cbc": 11.0, "edc": 7.5}
DEFAULT_DAILY_RATE = 6.0

SERVICE_DESK, INFRASTRUCTURE, APPLICATIONS = "Service Desk", "Infrastructure", "Applications"

CANNED_RESPONSES = [
    ("Acknowledged", "Thank you for getting in touch. I have picked this up and will update "
                     "you as soon as I know more."),
    ("More information needed", "To help us look into this, please reply with the asset tag "
                                "of your device (the white label underneath) and a screenshot "
                                "of any error message."),
    ("Password reset done", "I have reset your password. You will be asked to choose a new one "
                            "when you next sign in. Please do not share it with anyone."),
    ("Passed to supplier", "We have raised this with the supplier and are waiting for their "
                           "engineer. We will update you when we hear back."),
    ("Resolved – please confirm", "We believe this is now fixed. If it is not, reply to this "
                                  "ticket within 10 days and we will reopen it."),
]

# Extra ICT staff per council: (first, last, team, lead). They can be assigned tickets
# but cannot sign in (no usable password); the logins printed by `demo` are unchanged.
EXTRA_STAFF = {
    "cbc": [("Priya", "Shah", SERVICE_DESK, False), ("Tom", "Little", INFRASTRUCTURE, True),
            ("Hannah", "Cole", INFRASTRUCTURE, False), ("Ben", "Ward", APPLICATIONS, True),
            ("Fiona", "Reid", APPLICATIONS, False)],
    "edc": [("Callum", "Fraser", SERVICE_DESK, False), ("Isla", "Murray", INFRASTRUCTURE, True),
            ("Euan", "Reid", INFRASTRUCTURE, False), ("Kirsty", "Watt", APPLICATIONS, True),
            ("Ross", "Drummond", APPLICATIONS, False)],
}

# Service unit -> (share of requesters, job titles).
UNITS = {
    "Revenues and Benefits": (30, ["Benefits Assessor", "Council Tax Officer",
                                   "Revenues Team Leader", "Customer Services Adviser"]),
    "Finance": (15, ["Accountant", "Finance Officer", "Payments Officer"]),
    "Housing": (18, ["Housing Officer", "Homelessness Caseworker", "Housing Options Adviser"]),
    "Planning": (14, ["Planning Officer", "Planning Technician", "Building Control Surveyor"]),
    "Environmental Health": (12, ["Environmental Health Officer", "Licensing Officer",
                                 "Food Safety Inspector"]),
    "Leisure": (11, ["Leisure Centre Manager", "Events Officer", "Sports Development Officer"]),
}
REQUESTERS_PER_COUNCIL = 72
GIVEN_NAMES = ["Aisha", "Andrew", "Bethany", "Callum", "Chloe", "Daniel", "Deborah", "Emma",
               "Gareth", "Gemma", "Graham", "Helen", "Ian", "Jack", "Janet", "Karen", "Liam",
               "Lucy", "Mark", "Megan", "Michael", "Nicola", "Oliver", "Paul", "Rachel",
               "Rebecca", "Richard", "Ruth", "Sarah", "Scott", "Stephen", "Susan", "Thomas",
               "Victoria", "Wendy", "Yusuf"]
FAMILY_NAMES = ["Armstrong", "Bell", "Brown", "Burns", "Campbell", "Dixon", "Graham", "Hall",
                "Harrison", "Hodgson", "Holliday", "Irving", "Jackson", "Johnston", "Kennedy",
                "Moore", "Nicholson", "Patel", "Robinson", "Routledge", "Sharp", "Stewart",
                "Tyson", "Walker", "Wilson", "Wood"]

# Category (type, parent, name) -> share of tickets, team, channel weights, priority weights,
# and (title, description) pairs.
PORTAL_HEAVY = {Channel.PORTAL: 45, Channel.EMAIL: 33, Channel.PHONE: 16, Channel.WALK_IN: 6}


@dataclass(frozen=True)
class Kind:
    ticket_type: str
    parent: str | None
    name: str
    share: int
    team: str
    channels: dict
    priorities: dict  # priority -> weight
    texts: list  # (title, description)
    first_contact: float = 0.0  # share of phone/walk-in tickets fixed while the caller waits
    third_party: float = 0.03  # share that waits for a supplier

    @property
    def label(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent else self.name


KINDS = [
    Kind(TicketType.INCIDENT, "Hardware", "Printer", 12, SERVICE_DESK, PORTAL_HEAVY,
         {2: 4, 3: 36, 4: 50, 5: 10},
         [("Printer on the first floor keeps jamming", "The multi-function printer by the "
           "lifts jams on every other job and shows error J-072. We have cleared it twice."),
          ("Cannot print council tax reminders", "Reminder letters from the Revenues system "
           "go to the print queue and then disappear. Nothing comes out of the printer."),
          ("Scanner sends to the wrong email address", "Scan to email from the printer in "
           "reception sends the file to my old address."),
          ("Printer says toner low but new toner fitted", "We put a new cartridge in this "
           "morning and the printer still refuses to print, saying toner is low.")],
         first_contact=0.3, third_party=0.08),
    Kind(TicketType.INCIDENT, "Hardware", "Laptop", 10, SERVICE_DESK, PORTAL_HEAVY,
         {2: 6, 3: 40, 4: 46, 5: 8},
         [("Laptop will not start", "My laptop shows the logo and then switches itself off. "
           "I have tried it on the charger."),
          ("Docking station not detecting monitors", "Since this morning neither of my "
           "monitors comes on when I plug the laptop into the dock."),
          ("Laptop very slow since update", "Since last night's updates everything takes "
           "minutes to open, including Outlook."),
          ("Keyboard keys not working", "Several keys on my laptop keyboard (E, R and T) have "
           "stopped working.")],
         first_contact=0.2, third_party=0.05),
    Kind(TicketType.INCIDENT, "Software", "Revenues system", 9, APPLICATIONS,
         {Channel.PORTAL: 35, Channel.EMAIL: 30, Channel.PHONE: 30, Channel.WALK_IN: 5},
         {1: 4, 2: 22, 3: 48, 4: 24, 5: 2},
         [("Revenues system slow when opening accounts", "Opening a council tax account takes "
           "over a minute for everyone in the team. Customers are waiting on the phone."),
          ("Error 'record locked' in the Revenues system", "I cannot update a benefits claim: "
           "the system says the record is locked by another user, but nobody has it open."),
          ("Overnight direct debit batch failed", "The overnight direct debit run shows as "
           "failed in the batch monitor and no file was produced."),
          ("Cannot log in to the Revenues system", "The Revenues system rejects my password "
           "although I can sign in to Windows.")],
         third_party=0.15),
    Kind(TicketType.INCIDENT, "Software", "Email", 10, INFRASTRUCTURE, PORTAL_HEAVY,
         {1: 1, 2: 12, 3: 45, 4: 36, 5: 6},
         [("Cannot send email to external addresses", "Emails to anyone outside the council "
           "bounce back with 'relay denied'."),
          ("Outlook keeps asking for my password", "Outlook asks me to sign in every few "
           "minutes even though I type the right password."),
          ("Shared mailbox missing from Outlook", "The team's shared mailbox has disappeared "
           "from my Outlook folder list."),
          ("Emails from the planning portal going to junk", "Notifications from the planning "
           "portal all go to junk mail, so applicants are not being answered.")],
         first_contact=0.25, third_party=0.04),
    Kind(TicketType.INCIDENT, "Network", "Wi-Fi", 6, INFRASTRUCTURE,
         {Channel.PORTAL: 35, Channel.EMAIL: 25, Channel.PHONE: 20, Channel.WALK_IN: 5,
          Channel.API: 15},
         {1: 3, 2: 15, 3: 52, 4: 28, 5: 2},
         [("Wi-Fi dropping in the council chamber", "The Wi-Fi in the council chamber drops "
           "every few minutes, which interrupts the webcast of meetings."),
          ("No Wi-Fi in the meeting rooms", "Laptops cannot see the staff Wi-Fi network in "
           "meeting rooms 2 and 3."),
          ("Access point offline", "Monitoring reports an access point as unreachable."),
          ("Guest Wi-Fi not accepting the daily code", "Visitors cannot join the guest "
           "Wi-Fi with today's code.")],
         third_party=0.06),
    Kind(TicketType.INCIDENT, "Accounts", "Password reset", 18, SERVICE_DESK,
         {Channel.PORTAL: 12, Channel.EMAIL: 20, Channel.PHONE: 50, Channel.WALK_IN: 18},
         {2: 6, 3: 54, 4: 38, 5: 2},
         [("Locked out of my account", "I entered my password wrongly too many times and "
           "now my account is locked."),
          ("Password expired while on leave", "My password expired while I was on leave "
           "and I cannot sign in to change it."),
          ("Forgotten password", "I have forgotten my password after the weekend."),
          ("Multi-factor prompt not arriving", "The sign-in code is not arriving on my new "
           "phone.")],
         first_contact=0.75, third_party=0.0),
    Kind(TicketType.REQUEST, None, "New starter", 6, SERVICE_DESK, {Channel.PORTAL: 60,
         Channel.EMAIL: 35, Channel.PHONE: 5}, {3: 30, 4: 55, 5: 15},
         [("New starter: laptop and accounts", "We have a new officer starting on Monday. "
           "Please set up a laptop, network and email accounts and access to the team's "
           "shared drive."),
          ("New starter: apprentice joining the team", "An apprentice joins us next week "
           "and needs an account, email and a laptop.")],
         third_party=0.0),
    Kind(TicketType.REQUEST, None, "Software install", 8, APPLICATIONS, PORTAL_HEAVY,
         {3: 15, 4: 55, 5: 30},
         [("Install QGIS", "Please install QGIS so I can review site plans."),
          ("Install Adobe Acrobat Pro", "I need to redact documents before publication."),
          ("Update Power BI Desktop", "Power BI Desktop asks for an update that needs "
           "administrator rights.")],
         third_party=0.02),
    Kind(TicketType.REQUEST, None, "Access request", 13, SERVICE_DESK, PORTAL_HEAVY,
         {3: 25, 4: 55, 5: 20},
         [("Access to the Finance shared drive", "Please give me read access to the "
           "Finance shared drive; my manager has approved this."),
          ("Access to the housing case management system", "I have moved teams and need "
           "access to the housing case management system."),
          ("Add me to the planning committee mailbox", "Please add me to the planning "
           "committee shared mailbox.")],
         first_contact=0.15, third_party=0.0),
    Kind(TicketType.REQUEST, None, "Equipment", 8, SERVICE_DESK, PORTAL_HEAVY,
         {3: 10, 4: 50, 5: 40},
         [("Second monitor for my desk", "Could I have a second monitor? I work with two "
           "systems side by side all day."),
          ("Headset for the contact centre", "My headset has broken; I need a replacement "
           "to take calls."),
          ("Replacement laptop charger", "My charger has stopped working.")],
         third_party=0.05),
]
CATEGORY_PARENTS = {
    TicketType.INCIDENT: ["Hardware", "Software", "Network", "Accounts"],
    TicketType.REQUEST: [],
}

FIRST_RESPONSES = [
    "Thank you for getting in touch. I have picked this up and am looking into it now.",
    "Thanks for reporting this. I am looking at it and will update you shortly.",
    "I have picked this up. I will call you if I need to see your screen.",
]
QUESTIONS = [
    "Could you tell us the asset tag of the device (the white label underneath)?",
    "Does this happen for everyone in your team, or only for you?",
    "When would be a good time for an engineer to come to your desk?",
    "Could you send a screenshot of the error message?",
]
ANSWERS = [
    "It is only me. The asset tag is CBC-L0{n}.", "Everyone in the team has the same problem.",
    "Any time tomorrow morning is fine.", "Screenshot attached to my email.",
]
SUPPLIER_WAITS = ["Logged with the supplier; waiting for their engineer.",
                  "Part ordered from the supplier; delivery expected this week."]
SUPPLIER_BACK = ["Supplier engineer has been; continuing.", "Part arrived; fitting it now."]
NOTES = ["Checked the logs: same error on two other machines in this building.",
         "Spoke to the requester by phone; will visit this afternoon.",
         "Possibly linked to last night's patching. Keeping an eye on it.",
         "Needs a change request if the fix touches the server."]
RESOLUTIONS = {
    "Printer": ["Cleared the jam and replaced the worn pick-up roller.",
                "Reinstalled the print driver and cleared the stuck queue."],
    "Laptop": ["Replaced the faulty power board under warranty.",
               "Rolled back the display driver; monitors detected again."],
    "Revenues system": ["Supplier patch applied; performance back to normal.",
                        "Cleared the stale lock on the record; the claim can be updated."],
    "Email": ["Corrected the connector settings; external mail flowing again.",
              "Rebuilt the Outlook profile; no more password prompts."],
    "Wi-Fi": ["Replaced the failed access point.", "Moved the access point to a free channel."],
    "Password reset": ["Account unlocked and password reset; the caller signed in while on "
                       "the phone.", "Reset the password and re-registered the sign-in app."],
    "New starter": ["Laptop built and accounts created; collected from the ICT office.",
                    "Accounts and equipment ready for the first day."],
    "Software install": ["Installed and licensed.", "Updated through the software centre."],
    "Access request": ["Access granted after the manager's approval.",
                       "Added to the group; access works after signing out and in."],
    "Equipment": ["Delivered to the desk.", "Issued from stock."],
}
CANCEL_REASONS = ["Raised twice by mistake.", "No longer needed: fixed itself after a restart."]
REOPEN_REASONS = ["It has started happening again this morning.",
                  "Still not working for me, sorry."]
RATING_COMMENTS = {5: ["Quick and friendly, thank you.", "Sorted while I was on the phone."],
                   4: ["Thanks, all working now."], 3: ["Fixed in the end but took a while."],
                   2: ["Took far too long; I chased twice."],
                   1: ["Nobody told me what was happening."]}


# --- configuration ------------------------------------------------------------------

@dataclass
class DeskContext:
    """What the simulator needs to know about one council."""

    organisation: org_models.Organisation
    desk: DeskSettings
    policies: dict  # priority -> SLAPolicy
    matrix: dict  # (impact, urgency) -> priority
    categories: dict  # label -> Category
    teams: dict  # name -> Team
    agents: dict  # team name -> [User]
    leads: dict  # team name -> User
    units: dict  # name -> ServiceUnit
    sites: list
    requesters: list  # [Person]
    clocks: dict = field(default_factory=dict)

    def clock(self, policy):
        """The SLA clock the policy runs on, to plan times in working minutes."""
        business = policy.business_hours if policy is not None else True
        if business not in self.clocks:
            config = queries.desk_config(self.organisation.pk)
            self.clocks[business] = queries.desk_clock(config, policy)
        return self.clocks[business]


def _ensure(model, organisation, lookup: dict, **values):
    found = model.objects.filter(organisation=organisation, **lookup).first()
    if found is not None:
        return found
    return services.create_record(model(organisation=organisation, **lookup, **values), actor=None)


def configure(organisation) -> DeskContext:
    """The desk's settings, SLA policies, matrix, categories and canned responses."""
    desk = _ensure(DeskSettings, organisation, {})
    policies = {}
    for priority, (name, response, resolution) in SLA_TARGETS.items():
        policies[priority] = SLAPolicy.objects.filter(
            organisation=organisation, priority=priority, is_active=True).order_by(
            "ticket_type", "pk").first() or services.create_record(
            SLAPolicy(organisation=organisation, name=name, priority=priority,
                      response_minutes=response, resolution_minutes=resolution,
                      business_hours=True), actor=None)
    matrix = {}
    for (impact, urgency), priority in DEFAULT_MATRIX.items():
        rule = _ensure(PriorityRule, organisation, {"impact": impact, "urgency": urgency},
                       priority=priority)
        matrix[(impact, urgency)] = rule.priority
    categories = {}
    for ticket_type, parents in CATEGORY_PARENTS.items():
        for name in parents:
            categories[name] = _ensure(Category, organisation,
                                       {"ticket_type": ticket_type, "parent": None, "name": name})
    for kind in KINDS:
        parent = categories[kind.parent] if kind.parent else None
        categories[kind.label] = _ensure(
            Category, organisation, {"ticket_type": kind.ticket_type, "parent": parent,
                                     "name": kind.name})
    for title, body in CANNED_RESPONSES:
        _ensure(CannedResponse, organisation, {"title": title}, body=body)
    _ensure_mailbox(organisation)
    return _context(organisation, desk, policies, matrix, categories)


def _ensure_mailbox(organisation) -> None:
    """The desk's address, for `borough mailgate` to receive at (see docs/production.md)."""
    from borough.mail.models import Mailbox

    address = f"ithelp@{organisation.code}.example.gov.uk"
    if not Mailbox.objects.filter(address=address).exists():
        services.create_record(Mailbox(organisation=organisation, name="IT service desk",
                                       address=address, is_default=True), actor=None)


def _context(organisation, desk, policies, matrix, categories) -> DeskContext:
    teams = {t.name: t for t in org_models.Team.objects.filter(organisation=organisation)}
    agents: dict[str, list] = {name: [] for name in teams}
    leads = {}
    memberships = org_models.TeamMembership.objects.filter(
        organisation=organisation, person__user__isnull=False,
        person__user__is_active=True).select_related("team", "person__user").order_by("pk")
    for membership in memberships:
        agents[membership.team.name].append(membership.person.user)
        if membership.is_lead:
            leads.setdefault(membership.team.name, membership.person.user)
    units = {u.name: u for u in org_models.ServiceUnit.objects.filter(organisation=organisation)}
    sites = list(org_models.Site.objects.filter(organisation=organisation).order_by("pk"))
    # The directory's people without a login; the demo requester gets tickets of its own.
    requesters = list(org_models.Person.objects.filter(
        organisation=organisation, is_active=True, user__isnull=True,
        service_unit__name__in=list(UNITS)).select_related("service_unit", "site").order_by("pk"))
    # str(category) reads the parent: fetch it once, not once per audit snapshot.
    categories = {str(c): c for c in Category.objects.filter(
        pk__in=[c.pk for c in categories.values()]).select_related("parent")}
    return DeskContext(organisation, desk, policies, matrix, categories, teams, agents, leads,
                       units, sites, requesters)


def ensure_staff(organisation) -> None:
    """A few more ICT staff, so tickets spread over three teams."""
    domain = organisation.email_domain or "example.gov.uk"
    for first, last, team_name, lead in EXTRA_STAFF.get(organisation.code, []):
        username = f"{organisation.code}-{first}.{last}".lower()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last,
                        email=f"{first}.{last}@{domain}".lower())
            user.set_unusable_password()
            user.save()
        role = Group.objects.get(name=roles.TEAM_LEAD if lead else roles.AGENT)
        Membership.objects.get_or_create(
            user=user, organisation=organisation,
            defaults={"role": role, "is_default": True, "is_active": True})
        person = org_models.Person.objects.filter(organisation=organisation, user=user).first()
        if person is None:
            person = services.create_record(org_models.Person(
                organisation=organisation, user=user, full_name=f"{first} {last}",
                email=user.email, job_title="ICT Officer",
                service_unit=org_models.ServiceUnit.objects.filter(
                    organisation=organisation, name="ICT").first(),
                site=org_models.Site.objects.filter(organisation=organisation).order_by("pk")
                .first()), actor=None)
        team = org_models.Team.objects.get(organisation=organisation, name=team_name)
        org_models.TeamMembership.objects.get_or_create(
            organisation=organisation, team=team, person=person, defaults={"is_lead": lead})


def ensure_requesters(organisation, rng: random.Random, count: int = REQUESTERS_PER_COUNCIL
                      ) -> list:
    """Staff in the service units who raise tickets; they have no login."""
    units = {u.name: u for u in org_models.ServiceUnit.objects.filter(organisation=organisation)}
    sites = list(org_models.Site.objects.filter(organisation=organisation).order_by("pk"))
    existing = set(org_models.Person.objects.filter(organisation=organisation)
                   .values_list("full_name", flat=True))
    domain = organisation.email_domain or "example.gov.uk"
    names = [(g, f) for g in GIVEN_NAMES for f in FAMILY_NAMES]
    rng.shuffle(names)
    unit_names = list(UNITS)
    weights = [UNITS[u][0] for u in unit_names]
    people = []
    for index in range(count):
        given, family = names[index % len(names)]
        number = f" {index // len(names) + 1}" if index >= len(names) else ""
        full_name = f"{given} {family}{number}"
        if full_name in existing:
            continue
        unit_name = rng.choices(unit_names, weights)[0]
        # Leisure staff mostly work away from the main office.
        far = len(sites) > 1 and rng.random() < (0.7 if unit_name == "Leisure" else 0.2)
        people.append(org_models.Person(
            organisation=organisation, full_name=full_name,
            email=f"{given}.{family}{number.strip()}@{domain}".lower(),
            job_title=rng.choice(UNITS[unit_name][1]), service_unit=units.get(unit_name),
            site=(sites[1] if far else sites[0]) if sites else None,
            phone=f"01946 5{rng.randrange(10000, 99999)}"))
    created = org_models.Person.objects.bulk_create(people, batch_size=2000)
    audit.record_bulk(created, AuditAction.CREATE, actor=None,
                      changes_for=lambda p: audit.diff({}, audit.snapshot(p)), note="Demo data")
    return created


# --- simulation ---------------------------------------------------------------------

# --- planning a ticket's life ------------------------------------------------------------

def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(sigma * rng.gauss(0, 1))


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _cells_for(matrix: dict, priority: int) -> list:
    return [cell for cell, p in matrix.items() if p == priority] or [(3, 3)]


@dataclass
class Mood:
    """How the desk performs at a ticket's arrival: 0 = struggling, 1 = after the project."""

    improved: bool
    strain: float = 0.0  # 0..1, how far behind the desk is before the project

    @property
    def response(self) -> tuple[float, float]:
        return (0.22, 0.6) if self.improved else (0.4 + 0.15 * self.strain, 0.95)

    @property
    def resolution(self) -> tuple[float, float]:
        return (0.28, 0.55) if self.improved else (0.42 + 0.2 * self.strain, 0.85)


def plan_ticket(ctx: DeskContext, rng: random.Random, created: datetime, mood: Mood, *,
                requester=None, kind: Kind | None = None, backlog_until: datetime | None = None,
                open_forever: bool = False) -> tuple[Ticket, list]:
    """A new ticket and the events of its life, from arrival to closure."""
    kind = kind or rng.choices(KINDS, [k.share for k in KINDS])[0]
    requester = requester or rng.choice(ctx.requesters)
    channel = _weighted(rng, kind.channels)
    local = created.astimezone(ZoneInfo(settings.TIME_ZONE))
    in_hours = local.weekday() < 5 and time(8, 30) <= local.time() < time(17, 0)
    if not in_hours and channel in (Channel.PHONE, Channel.WALK_IN):
        channel = Channel.EMAIL
    priority = _weighted(rng, kind.priorities)
    impact, urgency = rng.choice(_cells_for(ctx.matrix, priority))
    title, description = rng.choice(kind.texts)
    service_desk = ctx.agents.get(SERVICE_DESK) or [None]
    team = ctx.teams.get(kind.team)
    team_agents = ctx.agents.get(kind.team) or service_desk
    ticket = Ticket(
        organisation=ctx.organisation, ticket_type=kind.ticket_type, title=title,
        description=description, requester=requester, channel=channel,
        service_unit=requester.service_unit, site=requester.site,
        category=ctx.categories.get(kind.label), impact=impact, urgency=urgency,
        priority=ctx.matrix[(impact, urgency)],
    )
    ticket.created_at = created
    policy = ctx.policies[ticket.priority]
    clock = ctx.clock(policy)
    events = []
    by_phone = channel in (Channel.PHONE, Channel.WALK_IN)
    taker = rng.choice(service_desk) if by_phone else None
    creator = taker if by_phone else (requester.user if channel == Channel.PORTAL else None)
    assignee = rng.choice(team_agents)

    # Fixed while the caller waits: logged, resolved, done.
    if by_phone and rng.random() < kind.first_contact:
        ticket.team, ticket.assignee = ctx.teams.get(SERVICE_DESK), taker
        events.append((created, "create", {"actor": taker, "status": Status.ASSIGNED}))
        done = created + timedelta(minutes=rng.uniform(3, 25))
        resolution = rng.choice(RESOLUTIONS[kind.name])
        events.append((done, "resolve", {"note": resolution, "actor": taker}))
        _after_resolution(ctx, rng, events, done, requester, mood, taker)
        return ticket, events

    if by_phone:
        # Logged by the person who took the call, for the team that will do the work.
        ticket.team = team
        ticket.assignee = taker if kind.team == SERVICE_DESK else None
        status = Status.ASSIGNED if ticket.assignee else Status.NEW
        events.append((created, "create", {"actor": taker, "status": status}))
    else:
        status = Status.NEW
        events.append((created, "create", {"actor": creator, "status": status}))

    if rng.random() < 0.02:
        when = created + timedelta(minutes=rng.uniform(10, 240))
        events.append((when, "cancel", {"reason": rng.choice(CANCEL_REASONS),
                                        "actor": rng.choice(service_desk)}))
        return ticket, events

    response_median, response_sigma = mood.response
    response_share = _lognormal(rng, response_median, response_sigma)
    responded = clock.add(created, max(response_share * policy.response_minutes, 2))
    if ticket.assignee is None:
        lead = ctx.leads.get(kind.team) or assignee
        assigned = clock.add(created, max(min(response_share * policy.response_minutes * 0.6,
                                              90), 1))
        if assigned >= responded:
            assigned = responded - timedelta(minutes=1)
        # A few stay with the team only, so the unassigned queue is not empty.
        who = assignee if rng.random() > 0.04 else None
        events.append((assigned, "assign", {"actor": lead, "team": team, "assignee": who}))
        worker = who or lead
    else:
        worker = ticket.assignee
    events.append((responded, "reply", {"body": rng.choice(FIRST_RESPONSES), "actor": worker}))
    events.append((responded + timedelta(seconds=rng.randint(30, 300)), "change_status",
                   {"status": Status.IN_PROGRESS, "actor": worker}))

    resolution_median, resolution_sigma = mood.resolution
    target = _lognormal(rng, resolution_median, resolution_sigma) * policy.resolution_minutes
    used = response_share * policy.response_minutes
    cursor = responded + timedelta(minutes=5)

    if rng.random() < 0.03 and priority > 2:
        bumped = [(i, u) for (i, u), p in ctx.matrix.items() if p == priority - 1]
        if bumped:
            impact2, urgency2 = rng.choice(bumped)
            cursor = clock.add(cursor, rng.uniform(10, 120))
            events.append((cursor, "change_priority", {
                "actor": worker, "impact": impact2, "urgency": urgency2,
                "reason": "More people affected than first reported."}))

    if rng.random() < 0.3:
        cursor = clock.add(cursor, rng.uniform(5, 60))
        events.append((cursor, "note", {"body": rng.choice(NOTES), "actor": worker}))

    pause = rng.random()
    if pause < 0.16 + kind.third_party:
        third_party = pause >= 0.16
        spent = clock.between(created, cursor)
        gap = max(min((target - spent) * rng.uniform(0.1, 0.5), 240), 5)
        paused = clock.add(cursor, gap)
        used = spent + gap
        if third_party:
            events.append((paused, "change_status", {
                "status": Status.AWAITING_THIRD_PARTY, "actor": worker,
                "note": rng.choice(SUPPLIER_WAITS)}))
            cursor = paused + timedelta(hours=rng.uniform(4, 96))
            events.append((cursor, "change_status", {
                "status": Status.IN_PROGRESS, "actor": worker,
                "note": rng.choice(SUPPLIER_BACK)}))
        else:
            events.append((paused, "change_status", {
                "status": Status.AWAITING_CUSTOMER, "actor": worker,
                "note": rng.choice(QUESTIONS)}))
            cursor = paused + timedelta(hours=rng.uniform(0.5, 100))
            answer = rng.choice(ANSWERS).format(n=rng.randrange(1000, 9999))
            events.append((cursor, "reply", {"body": answer, "requester": requester}))
        remaining = max(target - used, rng.uniform(10, 60))
        resolved = clock.add(cursor, remaining)
    else:
        resolved = clock.add(created, max(target, clock.between(created, cursor) + 5))

    if open_forever:
        return ticket, events
    if backlog_until is not None and resolved < backlog_until:
        # Stuck in the backlog until the improvement project worked through it.
        resolved = clock.add(backlog_until, rng.uniform(0, BACKLOG_CLEARED_IN))
    resolution = rng.choice(RESOLUTIONS[kind.name])
    events.append((resolved, "resolve", {"note": resolution, "actor": worker}))

    if rng.random() < 0.03:
        reopened = resolved + timedelta(hours=rng.uniform(2, 72))
        events.append((reopened, "reopen", {"reason": rng.choice(REOPEN_REASONS),
                                            "requester": requester}))
        resolved = clock.add(reopened, rng.uniform(0.05, 0.3) * policy.resolution_minutes)
        events.append((resolved, "resolve", {"note": resolution, "actor": worker}))
    _after_resolution(ctx, rng, events, resolved, requester, mood, worker)
    return ticket, events


def _after_resolution(ctx, rng, events, resolved, requester, mood, worker) -> None:
    """Rating, confirmation by the requester, or the auto-close job."""
    if rng.random() < 0.3:
        scores = {5: 55, 4: 30, 3: 9, 2: 4, 1: 2} if mood.improved else {
            5: 28, 4: 30, 3: 20, 2: 13, 1: 9}
        score = _weighted(rng, scores)
        comment = rng.choice(RATING_COMMENTS[score]) if rng.random() < 0.5 else ""
        rated = resolved + timedelta(minutes=rng.uniform(10, 2 * 24 * 60))
        events.append((rated, "rate", {"score": score, "comment": comment,
                                       "requester": requester}))
    if requester.user_id and rng.random() < 0.6:
        confirmed = resolved + timedelta(minutes=rng.uniform(30, 2 * 24 * 60))
        events.append((confirmed, "close", {"actor": requester.user}))
    else:
        # services.auto_close_resolved runs hourly.
        auto = resolved + timedelta(days=ctx.desk.auto_close_days, minutes=rng.uniform(1, 60))
        events.append((auto, "close", {"actor": None}))


# --- arrivals ---------------------------------------------------------------------------

HOUR_WEIGHTS = {8: 0.5, 9: 1.6, 10: 1.4, 11: 1.2, 12: 0.8, 13: 1.1, 14: 1.2, 15: 1.0, 16: 0.7}
WEEKDAY_FACTOR = [1.3, 1.1, 1.0, 0.95, 0.75, 0.06, 0.04]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def arrivals(ctx: DeskContext, rng: random.Random, start: date, end: datetime,
             daily_rate: float) -> list[datetime]:
    """Arrival times from `start` (a local date) up to `end`: busiest on Monday mornings,
    a trickle of email at night and at weekends, little on bank holidays."""
    tz = ZoneInfo(settings.TIME_ZONE)
    closed = ctx.clock(None).calendar.closed_dates
    times = []
    day = start
    while day <= end.astimezone(tz).date():
        factor = WEEKDAY_FACTOR[day.weekday()] * (0.08 if day in closed else 1.0)
        for _ in range(_poisson(rng, daily_rate * factor)):
            if day.weekday() >= 5 or day in closed or rng.random() < 0.06:
                hour, minute = rng.choice([6, 7, 17, 18, 19, 20, 21]), rng.randrange(60)
            else:
                hour = _weighted(rng, HOUR_WEIGHTS)
                minute = rng.randrange(30, 60) if hour == 8 else rng.randrange(60)
            local = datetime.combine(day, time(hour, minute, rng.randrange(60)), tzinfo=tz)
            at = local.astimezone(UTC)
            if at < end:
                times.append(at)
        day += timedelta(days=1)
    return sorted(times)


def history(ctx: DeskContext, rng: random.Random, now: datetime, *,
            weeks: int = HISTORY_WEEKS, daily_rate: float = DEFAULT_DAILY_RATE) -> Iterator[Life]:
    """About four months of tickets, the last month after the improvement project."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    start = today - timedelta(weeks=weeks, days=today.weekday())
    project = now - timedelta(days=PROJECT_DAYS)
    first = datetime.combine(start, time(0), tzinfo=tz)
    for created in arrivals(ctx, rng, start, now, daily_rate):
        improved = created >= project
        strain = 0.0 if improved else (created - first) / (project - first)
        mood = Mood(improved, strain)
        backlog_until = None
        open_forever = False
        if not improved:
            roll = rng.random()
            backlog_until = project if roll < 0.04 + 0.09 * strain else None
            open_forever = roll > 0.992
        ticket, events = plan_ticket(ctx, rng, created, mood, backlog_until=backlog_until,
                                     open_forever=open_forever)
        yield ticket, events


def requester_lives(ctx: DeskContext, now: datetime) -> list[Life]:
    """The demo requester's own tickets, so the portal has something in each state."""
    person = org_models.Person.objects.filter(
        organisation=ctx.organisation, user__username=f"{ctx.organisation.code}-requester",
    ).select_related("user", "service_unit", "site").first()
    if person is None:
        return []
    by_label = {k.label: k for k in KINDS}
    agent = (ctx.agents.get(SERVICE_DESK) or [None])[0]
    apps_agent = (ctx.agents.get(APPLICATIONS) or [agent])[0]
    clock = ctx.clock(None)
    lives = []

    def ticket_for(kind_label, title, description, days_ago, impact=3, urgency=3):
        kind = by_label[kind_label]
        base = now - timedelta(days=days_ago, hours=1)
        created = clock.add(base, 47)
        if created > now - timedelta(hours=1):
            created = base
        ticket = Ticket(
            organisation=ctx.organisation, ticket_type=kind.ticket_type, title=title,
            description=description, requester=person, channel=Channel.PORTAL,
            service_unit=person.service_unit, site=person.site,
            category=ctx.categories.get(kind.label), impact=impact, urgency=urgency,
            priority=ctx.matrix[(impact, urgency)])
        ticket.created_at = created
        return ticket, created

    # Resolved, confirmed and rated three weeks ago.
    ticket, created = ticket_for("Equipment", "Second monitor for my desk",
                                 "Could I have a second monitor? I work in the Revenues system "
                                 "and the document store side by side all day.", 21)
    t1 = clock.add(created, 35)
    t2 = clock.add(created, 4 * BUSINESS_DAY)
    lives.append((ticket, [
        (created, "create", {"actor": person.user, "status": Status.NEW}),
        (t1, "assign", {"actor": agent, "team": ctx.teams.get(SERVICE_DESK), "assignee": agent}),
        (t1 + timedelta(minutes=2), "reply", {"actor": agent, "body": "Thanks – we have one in "
                                              "stock and will bring it round this week."}),
        (t1 + timedelta(minutes=3), "change_status", {"status": Status.IN_PROGRESS,
                                                      "actor": agent}),
        (t2, "resolve", {"actor": agent, "note": "Monitor delivered and connected."}),
        (t2 + timedelta(hours=2), "close", {"actor": person.user}),
        (t2 + timedelta(hours=2, minutes=1), "rate", {"requester": person, "score": 5,
                                                       "comment": "Brilliant, thank you."}),
    ]))

    # Resolved yesterday: waiting for the requester to confirm and rate it.
    ticket, created = ticket_for("Software › Revenues system",
                                 "Revenues system freezes when opening a claim",
                                 "The Revenues system stops responding for about a minute "
                                 "whenever I open a benefits claim.", 3, impact=3, urgency=2)
    t1 = clock.add(created, 40)
    resolved = max(min(clock.add(t1, 6 * 60), now - timedelta(hours=20)),
                   t1 + timedelta(minutes=30))
    lives.append((ticket, [
        (created, "create", {"actor": person.user, "status": Status.NEW}),
        (t1, "assign", {"actor": apps_agent, "team": ctx.teams.get(APPLICATIONS),
                        "assignee": apps_agent}),
        (t1 + timedelta(minutes=1), "reply", {"actor": apps_agent, "body": "Thanks – I can "
                                              "see the same delay here and am looking at it."}),
        (t1 + timedelta(minutes=2), "change_status", {"status": Status.IN_PROGRESS,
                                                      "actor": apps_agent}),
        (resolved, "resolve", {"actor": apps_agent, "note": "The supplier's patch is applied; "
                               "claims open straight away now."}),
    ]))

    # Waiting for the requester's answer.
    ticket, created = ticket_for("Hardware › Printer", "Cannot print council tax reminders",
                                 "Reminder letters go to the print queue and disappear.", 2)
    t1 = clock.add(created, 30)
    asked = max(min(clock.add(t1, 90), now - timedelta(hours=3)), t1 + timedelta(minutes=10))
    lives.append((ticket, [
        (created, "create", {"actor": person.user, "status": Status.NEW}),
        (t1, "assign", {"actor": agent, "team": ctx.teams.get(SERVICE_DESK), "assignee": agent}),
        (t1 + timedelta(minutes=1), "reply", {"actor": agent, "body": FIRST_RESPONSES[0]}),
        (t1 + timedelta(minutes=2), "change_status", {"status": Status.IN_PROGRESS,
                                                      "actor": agent}),
        (asked, "change_status", {"status": Status.AWAITING_CUSTOMER, "actor": agent,
                                  "note": "Which printer do you send them to? The name is on "
                                          "the label on the front."}),
    ]))

    # Raised this morning, not yet picked up.
    ticket, created = ticket_for("Accounts › Password reset",
                                 "Multi-factor prompt not arriving",
                                 "The sign-in code is not arriving on my new phone.", 0)
    created = now - timedelta(minutes=20)
    ticket.created_at = created
    lives.append((ticket, [
        (created, "create", {"actor": person.user, "status": Status.NEW}),
    ]))
    return lives


# --- entry point ------------------------------------------------------------------------

def load(now: datetime | None = None, *, seed: int = 2025) -> dict[str, int]:
    """Configure each demo council's desk and give it a ticket history (once)."""
    from borough.demo.organisations import COUNCILS

    now = now or timezone.now()
    created = {}
    for council in COUNCILS:
        organisation = org_models.Organisation.objects.filter(code=council["code"]).first()
        if organisation is None:
            continue
        with transaction.atomic():
            created[council["code"]] = load_organisation(organisation, now, seed=seed)
    return created


def load_organisation(organisation, now: datetime, *, seed: int = 2025) -> int:
    rng = random.Random(f"{seed}-{organisation.code}")
    configure(organisation)
    ensure_staff(organisation)
    if Ticket.objects.filter(organisation=organisation).exists():
        return 0  # already has a history (or real tickets): leave it alone
    if not org_models.Person.objects.filter(organisation=organisation, user__isnull=True,
                                            service_unit__name__in=list(UNITS)).exists():
        ensure_requesters(organisation, rng)
    ctx = configure(organisation)
    if not ctx.requesters or not ctx.teams:
        return 0
    rate = DAILY_RATE.get(organisation.code, DEFAULT_DAILY_RATE)
    lives = chain(history(ctx, rng, now, daily_rate=rate), requester_lives(ctx, now))
    return desk_services.import_history(organisation, lives, now=now,
                                        seed=f"{seed}-{organisation.code}")
