"""Migration 0003: the review dates owners were already reminded of move from the
document's `reminded_for` to core.ReminderSent (core.reminders), and back."""

from __future__ import annotations

from datetime import date

import pytest

from borough.core.models import ReminderSent
from borough.library import services
from tests.library.factories import DocumentFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = ("library", "0002_business_service_links")


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_reminders_already_sent_are_carried_across_and_back(org_a):
    reminded = DocumentFactory(organisation=org_a, status="published",
                               next_review_on=date(2026, 2, 20))
    fresh = DocumentFactory(organisation=org_a, status="published",
                            next_review_on=date(2026, 2, 21))
    old = migrate(BEFORE).get_model("library", "Document")
    old.objects.filter(pk=reminded.pk).update(reminded_for=date(2026, 2, 20))

    migrate(("library", "0003_review_reminders_in_core"))
    sent = ReminderSent.objects.get()
    assert (sent.object_id, sent.stage, sent.for_date, sent.organisation_id) == (
        reminded.pk, "due", date(2026, 2, 20), org_a.pk)
    # Nobody is told twice: only the document never reminded of is, now.
    import time_machine

    with time_machine.travel(date(2026, 3, 2)):
        assert services.remind_review_owners() == 1
    assert set(ReminderSent.objects.values_list("object_id", flat=True)) == {
        reminded.pk, fresh.pk}

    old = migrate(BEFORE).get_model("library", "Document")
    assert old.objects.get(pk=reminded.pk).reminded_for == date(2026, 2, 20)
    assert old.objects.get(pk=fresh.pk).reminded_for == date(2026, 2, 21)
