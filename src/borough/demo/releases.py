"""Release management for the demo council, played through the services (after the
changes demo, whose changes it delivers): the financial system's replacement release —
Financials moving from Unit4 Business World to Unit4 ERPx under its named-user licence —
in test, with a change in it still waiting for the board (so its go is refused until the
board authorises it); and the emergency firewall hotfix delivered as an emergency release,
tested, live and reviewed. Safe to run again: a council with a release is left as it is."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from borough.changes import models as changes_models
from borough.changes import services as changes
from borough.cmdb.models import ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.demo.changes import _items, _person, _services
from borough.licences.models import Licence
from borough.releases import models as m
from borough.releases import services as releases


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The two releases; returns how many it added."""
    if m.Release.objects.filter(organisation=organisation).exists():
        return 0
    owner = _person(organisation, "changemanager")
    if owner is None or owner.user is None:
        return 0
    manager = owner.user
    today = timezone.localdate()
    count = 0

    # The financial system's replacement: a major release, in test.
    cutover_day = today + datetime.timedelta(days=42)
    start = datetime.datetime.combine(cutover_day, datetime.time(18),
                                      tzinfo=timezone.get_current_timezone())
    cutover = services.create_record(changes_models.Change(
        organisation=organisation, title="Cut Financials over to Unit4 ERPx",
        change_type=changes_models.ChangeType.NORMAL,
        description="Migrate the ledgers, suppliers and open orders to Unit4 ERPx, switch the "
                    "payroll, benefits and cash receipting interfaces, and retire Business "
                    "World.",
        reason="Business World leaves support at the end of the financial year.",
        requester=_person(organisation, "unithead"), owner=owner,
        planned_start=start, planned_end=start + datetime.timedelta(hours=40),
        implementation_plan="Freeze postings on Friday; final extract; load and reconcile "
                            "over the weekend; switch the interfaces; open on Monday.",
        test_plan="Reconcile trial balances; post a test invoice, payment and journal; run "
                  "the payroll and benefit payment files end to end.",
        backout_plan="Reopen Business World; switch the interfaces back; re-post Monday's "
                     "transactions."), actor=manager,
        many_to_many={"configuration_items": _items(organisation, ["Financials", "SQL02"]),
                      "services": _services(organisation, ["Financial management"])})
    changes.submit(cutover, actor=manager)
    replacement = m.Release(
        organisation=organisation, title="Financial system replacement: Unit4 ERPx",
        release_type=m.ReleaseType.MAJOR, owner=owner,
        description="The new financial system, its data migrated and its interfaces to "
                    "payroll, benefits and income management switched over.",
        planned_test_date=today - datetime.timedelta(days=7), planned_live_date=cutover_day,
        release_notes="Finance staff sign in to Unit4 ERPx from the Monday after cut-over. "
                      "Purchase orders raised before then keep their numbers. The old "
                      "supplier statement report is replaced by the ERPx supplier enquiry.")
    replacement = releases.create_release(replacement, actor=manager, changes=[cutover])
    financials = ConfigurationItem.objects.filter(organisation=organisation,
                                                  name="Financials").first()
    if financials is not None:
        services.create_record(m.ReleaseItem(
            organisation=organisation, release=replacement, software=financials,
            from_version="Business World 7.5", to_version="ERPx 2026.2",
            licence=Licence.objects.filter(organisation=organisation,
                                           software=financials).first(),
            note="The named-user licence carries over to ERPx."), actor=manager)
    releases.plan(replacement, actor=manager)
    releases.start_test(replacement, actor=manager)
    count += 1

    # The emergency firewall hotfix, delivered as an emergency release.
    firewall = changes_models.Change.objects.filter(
        organisation=organisation, title="Emergency patch for the firewall's VPN flaw").first()
    if firewall is not None and firewall.authorised_at is not None:
        hotfix = releases.create_release(m.Release(
            organisation=organisation, title="Firewall VPN hotfix",
            release_type=m.ReleaseType.EMERGENCY, owner=owner,
            description="The vendor's hotfix for the exploited VPN flaw, on both units.",
            planned_test_date=today, planned_live_date=today,
            release_notes="Remote access drops for about two minutes at the failover."),
            actor=manager, changes=[firewall])
        for step, fields in (
                (releases.plan, {}), (releases.start_test, {}),
                (releases.record_test, {"result": m.TestResult.PASSED,
                                        "notes": "Applied to the standby unit first; VPN "
                                                 "sign-in and site-to-site tunnels "
                                                 "checked before failover."}),
                (releases.go, {"note": "Go: the risk of waiting is greater."}),
                (releases.go_live, {"note": "Both units patched."}),
                (releases.close, {"review": "Delivered within four hours of the warning. "
                                            "Tell remote staff before the failover next "
                                            "time."})):
            step(hotfix, actor=manager, **fields)
            hotfix.refresh_from_db()
        count += 1
    return count
