"""The daily reminder: owners hear about actions due within 14 days or overdue, at most
once every 7 days per action, in Borough's notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from borough.core.models import Notification
from borough.core.registry import registry
from borough.standards.actions import services
from borough.standards.models import Action

from .conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)  # notifications are written on commit


def test_the_job_is_registered_daily():
    job, seconds = registry.periodic_jobs["standards-remind-action-owners"]
    assert job is services.remind_action_owners and seconds == 86400


def test_due_soon_and_overdue_actions_are_reminded_once_a_week(world, new_action):
    soon = new_action(title="Renew the antivirus licence", due_on=date(2026, 12, 7))
    late = new_action(title="Test the backups")
    Action.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 20))
    far = new_action(title="Far off", due_on=date(2026, 12, 8))  # 15 days away
    done = new_action(title="Done already", due_on=date(2026, 11, 30))
    Action.objects.filter(pk=done.pk).update(status="done")
    new_action(title="Nobody to tell", owner=None, due_on=date(2026, 11, 30))

    assert services.remind_action_owners() == 2
    notes = {n.subject: n for n in Notification.objects.filter(recipient=world.owner)}
    assert set(notes) == {
        f"{soon.reference} is due on 7 December 2026: Renew the antivirus licence",
        f"{late.reference} is overdue by 3 days: Test the backups",
    }
    assert notes[f"{late.reference} is overdue by 3 days: Test the backups"].url == (
        f"/standards/actions/{late.pk}/")
    assert Action.objects.get(pk=soon.pk).reminded_at == NOW

    assert services.remind_action_owners() == 0  # the same day: nothing new
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert services.remind_action_owners() == 1  # "Far off" is now 14 days away
        assert Action.objects.get(pk=far.pk).reminded_at is not None
    with time_machine.travel(NOW + timedelta(days=6, hours=23), tick=False):
        assert services.remind_action_owners() == 0
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert services.remind_action_owners() == 2
        assert Action.objects.get(pk=soon.pk).reminded_at == timezone.now()
    assert Notification.objects.filter(recipient=world.owner).count() == 5
    assert not Notification.objects.exclude(recipient=world.owner).exists()


def test_an_owner_who_left_the_council_is_not_reminded(world, new_action):
    new_action(due_on=date(2026, 11, 30))
    world.owner.memberships.update(is_active=False)
    assert services.remind_action_owners() == 0
    assert not Notification.objects.exists()
