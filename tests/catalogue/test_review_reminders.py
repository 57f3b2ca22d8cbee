"""An agreed SLA's or OLA's service owner (and an SLA's contacts who are users) is told
when its review date is within 30 days and again when it has passed, each once per review
date (core.reminders), in Borough and by email; drafts and expired agreements are not."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borough.catalogue import models as m
from borough.catalogue import services
from borough.core import roles
from borough.core.models import Notification, ReminderSent
from borough.core.registry import registry
from tests.factories import (
    BusinessServiceFactory,
    OperationalLevelAgreementFactory,
    PersonFactory,
    ServiceLevelAgreementFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 7, 0, tzinfo=LONDON),
                               tick=False)


@pytest.fixture
def people(org_a, member):
    owner = PersonFactory(organisation=org_a, full_name="Olive Owner",
                          user=member(roles.ICT_MANAGER))
    ict = PersonFactory(organisation=org_a, full_name="Ian Contact", user=member(roles.TEAM_LEAD))
    customer = PersonFactory(organisation=org_a, full_name="No Login",
                             email="nologin@copeland.gov.uk")
    return type("People", (), {"owner": owner, "ict": ict, "customer": customer})


def agreed_sla(org_a, people, review: date, **fields):
    service = BusinessServiceFactory(organisation=org_a, owner=people.owner)
    return ServiceLevelAgreementFactory(
        organisation=org_a, service=service, status=m.AgreementStatus.AGREED,
        start_date=date(2025, 4, 1), review_date=review, ict_contact=people.ict,
        customer_contact=people.customer, **fields)


def subjects(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person.user).order_by("id")
                .values_list("subject", flat=True))


def test_told_30_days_before_and_again_when_passed_each_once(
        org_a, people, django_capture_on_commit_callbacks):
    sla = agreed_sla(org_a, people, review=date(2026, 5, 1))
    with at(date(2026, 3, 31)):  # 31 days before: not yet
        assert services.remind_agreement_reviews() == 0
    with at(date(2026, 4, 1)), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_agreement_reviews() == 1
        assert services.remind_agreement_reviews() == 0  # a second run tells nobody twice
    with at(date(2026, 4, 20)):
        assert services.remind_agreement_reviews() == 0
    with at(date(2026, 5, 4)), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_agreement_reviews() == 1
        assert services.remind_agreement_reviews() == 0
    expected = [
        f"Service level agreement {sla} is due for review on 1 May 2026",
        f"Service level agreement {sla} was due for review 3 days ago"]
    assert subjects(people.owner) == expected
    assert subjects(people.ict) == expected  # a contact who is a user
    notice = Notification.objects.filter(recipient=people.owner.user).first()
    assert notice.url == sla.get_absolute_url()
    assert "Review it with" in notice.body and "agree it again" in notice.body
    assert ReminderSent.objects.filter(object_id=sla.pk).count() == 2
    # The owner is emailed too; a contact without a login is not (not a user).
    from borough.mail.models import OutboundEmail

    assert OutboundEmail.objects.filter(subject__contains=sla.reference).exists()
    assert not OutboundEmail.objects.filter(recipient="nologin@copeland.gov.uk").exists()


def test_a_new_review_date_is_reminded_of_afresh(org_a, people):
    sla = agreed_sla(org_a, people, review=date(2026, 5, 1))
    with at(date(2026, 5, 2)):
        assert services.remind_agreement_reviews() == 1  # passed: told once, not "soon" too
    sla.review_date = date(2027, 5, 1)
    sla.save()
    with at(date(2027, 4, 10)):
        assert services.remind_agreement_reviews() == 1


def test_drafts_and_expired_agreements_are_not_reminded(org_a, people):
    for status in (m.AgreementStatus.DRAFT, m.AgreementStatus.EXPIRED):
        sla = agreed_sla(org_a, people, review=date(2026, 5, 1))
        m.ServiceLevelAgreement.objects.filter(pk=sla.pk).update(status=status)
    with at(date(2026, 4, 20)):
        assert services.remind_agreement_reviews() == 0


def test_an_olas_service_owner_is_reminded(org_a, people,
                                           django_capture_on_commit_callbacks):
    service = BusinessServiceFactory(organisation=org_a, owner=people.owner)
    ola = OperationalLevelAgreementFactory(organisation=org_a, service=service,
                                           status=m.AgreementStatus.AGREED,
                                           review_date=date(2026, 5, 1))
    OperationalLevelAgreementFactory(organisation=org_a, service=service,
                                     status=m.AgreementStatus.DRAFT,
                                     review_date=date(2026, 5, 1))
    with at(date(2026, 4, 20)), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_agreement_reviews() == 1
    assert subjects(people.owner) == [
        f"Operational level agreement {ola} is due for review on 1 May 2026"]


def test_an_owner_without_a_login_is_emailed(org_a, people):
    from borough.mail.models import OutboundEmail

    owner = PersonFactory(organisation=org_a, email="owner@copeland.gov.uk")
    service = BusinessServiceFactory(organisation=org_a, owner=owner)
    ServiceLevelAgreementFactory(organisation=org_a, service=service,
                                 status=m.AgreementStatus.AGREED, review_date=date(2026, 5, 1))
    with at(date(2026, 4, 20)):
        assert services.remind_agreement_reviews() == 1
    assert OutboundEmail.objects.filter(recipient="owner@copeland.gov.uk").exists()


def test_the_daily_job_is_registered():
    job, interval = registry.periodic_jobs["catalogue-review-reminders"]
    assert job is services.remind_agreement_reviews and interval == 24 * 3600
