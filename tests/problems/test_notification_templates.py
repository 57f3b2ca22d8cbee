"""A council's own wording for the email a problem's owner gets (mail.NotificationTemplate
for a registered event), with the note the transition carried; Borough's otherwise."""

from __future__ import annotations

import pytest

from borough.mail.models import NotificationTemplate
from borough.problems import services
from borough.problems.models import Problem
from tests.mail.emails import email_to

pytestmark = pytest.mark.django_db


def owned_problem(desk) -> Problem:
    owner = desk.Person.objects.get(user=desk.lead)
    return services.raise_problem(
        Problem(organisation_id=desk.org.pk, title="Council chamber Wi-Fi drops", owner=owner),
        actor=desk.agent)



def test_the_council_s_template_writes_the_owner_s_email(desk):
    NotificationTemplate.objects.create(
        organisation=desk.org, event="problem-investigating",
        subject="Over to you: {{ title }}",
        text_body="Hello {{ recipient_name }}, {{ reference }} is {{ status|lower }}. "
                  "Notes: {{ note }}")
    problem = owned_problem(desk)
    services.investigate(problem, actor=desk.agent, note="Started with the access points.")
    email = email_to(desk.lead, "problem-investigating")
    assert email.subject == f"[{problem.reference}] Over to you: {problem.title}"
    assert email.text == (f"Hello {desk.lead.get_full_name() or desk.lead.username}, "
                          f"{problem.reference} is under investigation. "
                          "Notes: Started with the access points.")


def test_without_one_the_email_is_the_notification_s_words(desk):
    problem = owned_problem(desk)
    services.investigate(problem, actor=desk.agent, note="Started with the access points.")
    email = email_to(desk.lead, "problem-investigating")
    assert email.subject == (f"[{problem.reference}] {problem.reference} is under "
                             f"investigation: {problem.title}")
    assert email.text.startswith("Started with the access points.\n\nhttp")
