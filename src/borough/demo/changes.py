"""Change management for the demo council, played through the services: Copeland's risk
questions, its change advisory board (chaired by the ICT manager, quorum two, each seat
with a deputy) and emergency board, maintenance windows for Council Tax, a blackout
around the annual council tax billing run, a standard change template (a new starter's
laptop from the standard build) and one of its changes, a CAB meeting next Tuesday whose
agenda holds three normal changes (two of them overlapping on the revenues system and the
database it depends on: the conflict the schedule shows), and an emergency change to the
firewall, made and reviewed. Safe to run again: a council with a board is left as it is."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.changes import models as m
from borough.changes import services as changes
from borough.cmdb.models import ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.organisation import models as org

LONDON = ZoneInfo("Europe/London")

QUESTIONS = [
    ("Is a service unavailable to staff or residents while it is made?", m.Level.MEDIUM),
    ("Does it touch a critical service (Council Tax, Benefits, Payroll, Email)?",
     m.Level.HIGH),
    ("Is it hard to back out (a database or firmware upgrade, a data migration)?",
     m.Level.HIGH),
    ("Is it the first time this kind of change is made here?", m.Level.MEDIUM),
]

# title, items, services, local start (days after next Saturday, hour), hours, risk answers
NORMAL = [
    ("Apply the Northgate revenues patch 7.4", ["REV01", "Council Tax and business rates"],
     ["Council Tax"], (0, 19), 3, (True, True, False, False)),
    ("SQL01 cumulative update and restart", ["SQL01"], ["Council Tax", "Benefits"], (0, 20), 3,
     (True, True, True, False)),
    ("Upgrade the website's content management system", ["WEB01", "Council website"],
     ["Website"], (4, 19), 2, (True, False, False, False)),
]


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


def _user(organisation, login):
    return get_user_model().objects.filter(username=f"{organisation.code}-{login}").first()


def _person(organisation, login) -> org.Person | None:
    user = _user(organisation, login)
    if user is None:
        return None
    found = org.Person.objects.filter(organisation=organisation, user=user).first()
    return found or services.create_record(org.Person(
        organisation=organisation, user=user, email=user.email,
        full_name=user.get_full_name() or user.username), actor=None)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def _items(organisation, names):
    return list(ConfigurationItem.objects.filter(organisation=organisation, name__in=names))


def _services(organisation, names):
    return list(BusinessService.objects.filter(organisation=organisation, name__in=names))


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The boards, windows, templates and changes; returns how many changes it added."""
    if m.Board.objects.filter(organisation=organisation).exists():
        return 0
    people = {login: _person(organisation, login) for login in (
        "ictmanager", "changemanager", "cab", "teamlead", "security", "unithead", "agent")}
    if any(p is None for p in people.values()):
        return 0
    manager = people["changemanager"].user
    for position, (question, level) in enumerate(QUESTIONS, start=1):
        services.create_record(m.RiskQuestion(organisation=organisation, question=question,
                                              raises_to=level, position=position), actor=keeper)
    questions = list(m.RiskQuestion.objects.filter(organisation=organisation))
    cab = services.create_record(m.Board(
        organisation=organisation, name="Change advisory board", chair=people["ictmanager"],
        chair_deputy=people["changemanager"], quorum=2), actor=keeper)
    for member, deputy, represents in (("cab", "teamlead", "Infrastructure"),
                                       ("security", None, "Information security"),
                                       ("unithead", None, "Revenues and benefits")):
        services.create_record(m.BoardMember(
            organisation=organisation, board=cab, member=people[member],
            deputy=people[deputy] if deputy else None, represents=represents), actor=keeper)
    ecab = services.create_record(m.Board(
        organisation=organisation, name="Emergency change advisory board",
        kind=m.BoardKind.EMERGENCY, chair=people["ictmanager"], quorum=1), actor=keeper)
    services.create_record(m.BoardMember(organisation=organisation, board=ecab,
                                         member=people["security"],
                                         represents="Information security"), actor=keeper)

    council_tax = _services(organisation, ["Council Tax"])
    for weekday, starts, ends in ((m.Weekday.WEDNESDAY, 19, 22), (m.Weekday.SATURDAY, 18, 0),
                                  (m.Weekday.SUNDAY, 0, 6)):
        for service in council_tax:
            services.create_record(m.MaintenanceWindow(
                organisation=organisation, service=service, weekday=weekday,
                starts=datetime.time(starts), ends=datetime.time(ends)), actor=keeper)
    today = timezone.localdate()
    march = datetime.date(today.year + (1 if today.month >= 3 else 0), 3, 1)
    billing = services.create_record(m.ScheduleWindow(
        organisation=organisation, name=f"Annual council tax billing {march.year}",
        kind=m.WindowKind.BLACKOUT, starts_at=_at(march - datetime.timedelta(days=14), 0),
        ends_at=_at(march + datetime.timedelta(days=21), 0),
        reason="Bills are calculated, printed and sent: the revenues system, its database "
               "and the print run must not change."), actor=keeper)
    billing.services.set(_services(organisation, ["Council Tax", "Benefits"]))
    services.create_record(m.ScheduleWindow(
        organisation=organisation, name=f"Year-end close {march.year}",
        kind=m.WindowKind.FREEZE, starts_at=_at(march + datetime.timedelta(days=28), 0),
        ends_at=_at(march + datetime.timedelta(days=45), 0),
        reason="The finance year-end: only emergency changes."), actor=keeper)

    template = services.create_record(m.ChangeTemplate(
        organisation=organisation, name="New starter's laptop from the standard build",
        description="A laptop imaged with the corporate desktop build, enrolled and handed to "
                    "a new member of staff.",
        implementation_plan="Image with the current corporate desktop build; enrol in device "
                            "management; add to the user's groups; record it in the CMDB.",
        test_plan="The new starter signs in, opens email and their service's applications.",
        backout_plan="Re-image the laptop; remove its enrolment.",
        risk_level=m.Level.LOW, usual_minutes=120, approved_by=people["ictmanager"],
        approved_on=today - datetime.timedelta(days=90)), actor=keeper)
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    count = 0
    laptop = changes.raise_standard(
        template, actor=people["agent"].user, title="Laptop for a new planning officer",
        planned_start=_at(saturday - datetime.timedelta(days=3), 10),
        items=_items(organisation, ["Corporate desktop build 2026.1"]),
        requester=people["teamlead"], owner=people["agent"])
    changes.schedule_standard(laptop, actor=people["agent"].user)
    count += 1

    waiting = []
    for title, items, names, (days, hour), hours, answers in NORMAL:
        start = _at(saturday + datetime.timedelta(days=days), hour)
        change = services.create_record(m.Change(
            organisation=organisation, title=title, change_type=m.ChangeType.NORMAL,
            description=f"{title}, as the supplier's release notes describe.",
            reason="Supplier fixes and security updates; the current version leaves support.",
            requester=people["teamlead"], owner=people["changemanager"],
            planned_start=start, planned_end=start + datetime.timedelta(hours=hours),
            implementation_plan="Take a backup, apply the update, restart, check the logs.",
            test_plan="Sign in, run the standard transactions, check the overnight jobs.",
            backout_plan="Restore the backup taken before the change."), actor=manager,
            many_to_many={"configuration_items": _items(organisation, items),
                          "services": _services(organisation, names)})
        changes.submit(change, actor=manager)
        changes.assess(change, actor=manager, impact_level=m.Level.MEDIUM,
                       answers=dict(zip([q.pk for q in questions], answers, strict=False)),
                       impact="Staff of the services named cannot use them during the window.")
        changes.request_authorisation(change, actor=manager)
        waiting.append(change)
        count += 1
    tuesday = saturday + datetime.timedelta(days=3)
    meeting = services.create_record(m.Meeting(
        organisation=organisation, board=cab, starts_at=_at(tuesday, 10),
        location="Committee room 2, The Copeland Centre"), actor=keeper)
    meeting.attendees.set([people[k] for k in ("ictmanager", "cab", "security", "unithead")])
    changes.generate_agenda(meeting, actor=manager)
    first = m.Change.objects.get(pk=waiting[0].pk)
    changes.vote(first, actor=people["cab"].user, decision=m.VoteDecision.APPROVE,
                 note="Infrastructure is ready; backups checked.")
    changes.vote(first, actor=people["unithead"].user, decision=m.VoteDecision.APPROVE,
                 note="Revenues staff told; no work that evening.")

    firewall = services.create_record(m.Change(
        organisation=organisation, title="Emergency patch for the firewall's VPN flaw",
        change_type=m.ChangeType.EMERGENCY,
        description="Apply the vendor's hotfix for the actively exploited VPN vulnerability.",
        reason="The national cyber security centre warns it is exploited in the wild.",
        owner=people["changemanager"], requester=people["security"],
        planned_start=timezone.now() - datetime.timedelta(hours=3),
        planned_end=timezone.now() - datetime.timedelta(hours=1),
        implementation_plan="Apply the hotfix to the standby unit, fail over, then the other.",
        test_plan="Remote staff connect over the VPN; the firewall logs show no errors.",
        backout_plan="Fail back to the unpatched unit."), actor=manager,
        many_to_many={"configuration_items": _items(organisation, ["WHV-FW01"]),
                      "services": _services(organisation, ["Email", "Website"])})
    changes.submit(firewall, actor=manager)
    changes.assess(firewall, actor=manager, impact_level=m.Level.HIGH,
                   answers=dict(zip([q.pk for q in questions], (True, True, False, True),
                                    strict=False)),
                   impact="Remote access stops for a few minutes at the failover.")
    changes.request_authorisation(firewall, actor=manager)
    changes.vote(firewall, actor=people["security"].user, decision=m.VoteDecision.APPROVE,
                 note="Patch now.")
    changes.authorise(firewall, actor=people["ictmanager"].user, note="Authorised as an "
                      "emergency: the risk of waiting is greater.")
    changes.start(firewall, actor=manager)
    changes.complete(firewall, actor=manager, outcome=m.Outcome.SUCCESSFUL,
                     note="Both units patched; a two-minute VPN interruption at failover.")
    changes.close(firewall, actor=manager,
                  review="The hotfix went in within four hours of the warning. Remote staff "
                         "should have been told of the interruption beforehand: next time, "
                         "send the announcement first.")
    count += 1
    return count
