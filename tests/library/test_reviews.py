"""Reviews: the action records who reviewed and moves the next date by the period; the
reminder job tells each owner once per due date; the "Reviews due" list."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from borough.core import roles
from borough.core.models import Notification
from borough.library import services
from borough.library.models import DocumentStatus, add_months
from tests.factories import PersonFactory
from tests.library.factories import DocumentFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # a Monday


def published(org, **kwargs):
    document = DocumentFactory(organisation=org, status=DocumentStatus.PUBLISHED, **kwargs)
    DocumentVersionFactory(organisation=org, document=document)
    return document


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_review_records_who_and_moves_the_date_by_the_period(org_a, member):
    manager = member(roles.ICT_MANAGER)
    document = published(org_a, review_period_months=6, next_review_on=date(2026, 2, 1))
    with time_machine.travel(NOW, tick=False):
        reviewed = services.review(document, actor=manager, note="Checked the IP ranges.",
                                   expected_version=document.version)
    assert reviewed.last_reviewed_on == date(2026, 3, 2)
    assert reviewed.last_reviewed_by == manager
    assert reviewed.next_review_on == date(2026, 9, 2)
    assert reviewed.last_review_note == "Checked the IP ranges."
    assert reviewed.version == document.version + 1


def test_the_owner_may_review_even_with_a_reading_role_others_may_not(org_a, member):
    agent, other = member(roles.AGENT), member(roles.AUDITOR)
    document = published(org_a, owner=PersonFactory(organisation=org_a, user=agent))
    assert services.review(document, actor=agent).last_reviewed_by == agent
    with pytest.raises(PermissionDenied, match="owner"):
        services.review(document, actor=other)


def test_a_draft_cannot_be_reviewed(org_a, member, signed_in):
    manager = member(roles.ICT_MANAGER)
    document = DocumentFactory(organisation=org_a)
    assert "review" not in [a.name for a in services.DOCUMENT_ACTIONS.available(
        document, manager)]
    with pytest.raises(ValidationError, match="Only a published document is reviewed"):
        services.review(document, actor=manager)
    api = signed_in(manager, api=True).post(f"/api/library/documents/{document.pk}/review/",
                                            {}, format="json")
    assert api.status_code == 400 and "draft" in str(api.json())


def test_review_on_the_page_and_the_api(org_a, member, signed_in):
    manager = member(roles.ICT_MANAGER)
    document = published(org_a)
    page = signed_in(manager).get(reverse("library:document_detail", args=[document.pk]))
    assert reverse("library:document_review", args=[document.pk]) in page.content.decode()
    client = signed_in(manager)
    done = client.post(reverse("library:document_review", args=[document.pk]),
                       {"note": "Fine", "version": document.version})
    assert done.status_code == 302
    api = signed_in(manager, api=True)
    stale = api.post(f"/api/library/documents/{document.pk}/review/",
                     {"note": "Again", "version": document.version}, format="json")
    assert stale.status_code == 409
    fresh = api.post(f"/api/library/documents/{document.pk}/review/",
                     {"note": "Again", "version": document.version + 1}, format="json")
    assert fresh.status_code == 200 and fresh.json()["last_review_note"] == "Again"


# --- reminders ---------------------------------------------------------------------------

def owner_with_login(org, member):
    user = member(roles.TEAM_LEAD)
    return user, PersonFactory(organisation=org, user=user)


def test_owners_are_reminded_once_per_due_date(org_a, member,
                                               django_capture_on_commit_callbacks):
    user, person = owner_with_login(org_a, member)
    overdue = published(org_a, owner=person, next_review_on=date(2026, 2, 20))
    soon = published(org_a, owner=person, next_review_on=date(2026, 3, 16))  # 14 days
    published(org_a, owner=person, next_review_on=date(2026, 3, 17))  # 15 days: not yet
    DocumentFactory(organisation=org_a, owner=person, next_review_on=date(2026, 1, 1))  # draft
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_review_owners() == 2
        assert services.remind_review_owners() == 0  # the same due dates: nothing again
    subjects = sorted(Notification.objects.filter(recipient=user).values_list("subject",
                                                                               flat=True))
    assert subjects == sorted([
        f"{overdue.reference} was due for review 10 days ago: {overdue.title}",
        f"{soon.reference} is due for review on 16 March 2026: {soon.title}"])
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        assert services.remind_review_owners() == 1  # the 15-day one comes into the window
        assert services.remind_review_owners() == 0


def test_a_review_moves_the_date_and_the_next_reminder_waits_for_it(
        org_a, member, django_capture_on_commit_callbacks):
    user, person = owner_with_login(org_a, member)
    document = published(org_a, owner=person, next_review_on=date(2026, 2, 20),
                         review_period_months=1)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_review_owners() == 1
        services.review(document, actor=user)  # next review 2 April
        assert services.remind_review_owners() == 0
    with time_machine.travel(datetime(2026, 3, 19, 9, 0, tzinfo=LONDON), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert services.remind_review_owners() == 1  # 14 days before 2 April
        assert services.remind_review_owners() == 0
    assert Notification.objects.filter(recipient=user).count() == 2


def test_an_owner_without_a_login_is_emailed(org_a):
    person = PersonFactory(organisation=org_a, email="owner@copeland.gov.uk")
    published(org_a, owner=person, next_review_on=date(2026, 3, 1))
    from borough.mail.models import OutboundEmail

    with time_machine.travel(NOW, tick=False):
        assert services.remind_review_owners() == 1
    assert OutboundEmail.objects.filter(recipient="owner@copeland.gov.uk").exists()


def test_reviews_due_filter_and_menu_link(org_a, member, signed_in):
    manager = member(roles.ICT_MANAGER)
    overdue = published(org_a, title="Overdue guide", next_review_on=date(2026, 2, 1))
    soon = published(org_a, title="Soon guide", next_review_on=date(2026, 3, 10))
    later = published(org_a, title="Later guide", next_review_on=date(2026, 9, 1))
    client = signed_in(manager)
    with time_machine.travel(NOW, tick=False):
        redirect = client.get(reverse("library:reviews_due"))
        assert redirect.status_code == 302 and "review_due=due" in redirect["Location"]
        due = client.get(redirect["Location"]).content.decode()
        only_overdue = client.get(reverse("library:document_list") + "?review_due=overdue")
        api = signed_in(manager, api=True).get("/api/library/documents/?review_due=not_due")
    assert overdue.title in due and soon.title in due and later.title not in due
    text = only_overdue.content.decode()
    assert overdue.title in text and soon.title not in text
    assert [d["title"] for d in api.json()["results"]] == [later.title]


def test_the_reminder_job_is_registered():
    from borough.core.registry import registry

    job, interval = registry.periodic_jobs["library-review-reminders"]
    assert job is services.remind_review_owners and interval <= 24 * 3600


def test_review_refuses_a_bad_state_in_words(org_a, member):
    document = DocumentFactory(organisation=org_a)
    with pytest.raises(ValidationError):
        services.reinstate(document, actor=member(roles.ICT_MANAGER))
