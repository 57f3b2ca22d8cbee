"""An email claimed by a worker that died: shown on /jobs/ and counted in /health/ while
it waits for its claim to run out (mail.outbound.stalled_claims)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from borough.mail import outbound
from borough.mail.models import OutboundEmail, SendStatus
from tests.factories import UserFactory
from tests.mail.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def claimed_by_a_dying_worker(org) -> OutboundEmail:
    email = OutboundEmailFactory(organisation=org, status=SendStatus.QUEUED)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=WorkerKilled), \
            pytest.raises(WorkerKilled):
        outbound.send(email.pk)
    email.refresh_from_db()
    assert email.status == SendStatus.SENDING  # claimed, never finished
    return email


def age_claim(email: OutboundEmail, minutes: int) -> None:
    """Make the claim `minutes` old (its time is next_attempt_at less CLAIM_FOR)."""
    claimed_at = timezone.now() - timedelta(minutes=minutes)
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=claimed_at + outbound.CLAIM_FOR)


def test_a_fresh_claim_is_not_stalled_an_old_one_is(org_a):
    email = claimed_by_a_dying_worker(org_a)
    assert outbound.stalled_claims().count == 0  # a send in progress looks like this
    age_claim(email, 4)
    stalled = outbound.stalled_claims()
    assert stalled.count == 1
    assert abs(stalled.oldest - (timezone.now() - timedelta(minutes=4))) < timedelta(
        seconds=5)
    # Sent, failed and queued emails are not claims.
    OutboundEmailFactory(organisation=org_a, status=SendStatus.SENT,
                         next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outbound.stalled_claims().count == 1


def test_health_counts_them_as_a_warning_and_jobs_lists_them(client, org_a):
    age_claim(claimed_by_a_dying_worker(org_a), 4)
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"  # a warning, not a failure
    assert body["warnings"]["mail-claimed-unsent"] == 1

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get("/jobs/").content.decode()
    assert "mail-claimed-unsent" in page and "1 stalled" in page
    assert "/mail/" in page and "status=sending" in page


def test_once_the_claim_runs_out_the_periodic_send_takes_it_back(org_a):
    email = claimed_by_a_dying_worker(org_a)
    age_claim(email, 11)
    assert outbound.stalled_claims().count == 1
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", return_value=1):
        assert outbound.send_queued() == "1 sent, 0 to retry, 0 failed"
    assert outbound.stalled_claims().count == 0
    assert OutboundEmail.objects.get(pk=email.pk).status == SendStatus.SENT


def test_health_with_nothing_stalled(client):
    assert set(client.get("/health/").json()["warnings"].values()) == {0}
