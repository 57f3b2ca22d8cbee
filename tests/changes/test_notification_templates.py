"""A council's own wording for change management's emails (mail.NotificationTemplate for
a registered event), with the values the change's notices pass; Borough's otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings

from borough.changes.approval_mail import code_for
from borough.core.models import Notification
from borough.mail.models import NotificationTemplate
from tests.mail.emails import email_to

pytestmark = pytest.mark.django_db



def test_the_council_s_template_writes_the_vote_request_with_the_change_s_values(council):
    NotificationTemplate.objects.create(
        organisation=council.org, event="change-authorisation-due",
        subject="Your vote on {{ title }}",
        text_body="{{ change_type }} change, risk {{ risk }}, for the {{ board }} "
                  "({{ window }}).\nCode: {{ approval_code }}")
    change = council.with_board(council.change())
    email = email_to(council.users["cab1"], "change-authorisation-due")
    assert email.subject == f"[{change.reference}] Your vote on {change.title}"
    assert email.text == (
        f"Normal change, risk {change.get_risk_level_display()}, for the {change.board} "
        f"(Sat 12 Jan 19:00 to Sat 12 Jan 21:00).\n"
        f"Code: {code_for(change, council.users['cab1'])}")


def test_without_one_the_email_says_what_the_notification_says(council):
    change = council.with_board(council.change())
    email = email_to(council.users["cab1"], "change-authorisation-due")
    told = Notification.objects.get(event="change-authorisation-due",
                                    recipient=council.users["cab1"])
    assert email.text == f"{told.body}\n\n{settings.BOROUGH_BASE_URL}{told.url}"
    assert f"Approval code: {code_for(change, council.users['cab1'])}" in email.text
