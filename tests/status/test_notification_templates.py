"""A council's own wording for the emails subscribers get (mail.NotificationTemplate for a
registered event), with the announcement's values; Borough's otherwise."""

from __future__ import annotations

import pytest

from borough.mail.models import NotificationTemplate
from borough.status import services
from borough.status.models import Kind
from tests.mail.emails import email_to

pytestmark = pytest.mark.django_db



def test_the_council_s_template_writes_what_subscribers_read(status):
    services.subscribe(status.email, actor=status.manager)
    NotificationTemplate.objects.create(
        organisation=status.org, event="status-opened", subject="{{ kind }}: {{ title }}",
        text_body="{{ services }} since {{ starts }}: {{ words }}",
        html_body="<p>{{ words }}</p>")
    announcement = services.announce(
        status.org.pk, actor=status.agent, title="Email is down", kind=Kind.OUTAGE,
        services=[status.email], description="Use <Teams> meanwhile.")
    email = email_to(status.manager, "status-opened")
    assert email.subject == f"[{announcement.reference}] Outage: Email is down"
    assert email.text.startswith("Email since ")
    assert email.text.endswith(": Use <Teams> meanwhile.")
    assert email.html == "<p>Use &lt;Teams&gt; meanwhile.</p>"

    # An update has no template of the council's: Borough's wording, the notice's words.
    services.post_update(announcement, actor=status.agent, body="Engineers are on site.")
    update = email_to(status.manager, "status-updated")
    assert update.subject == f"[{announcement.reference}] Update: Email is down"
    assert update.text.startswith("Engineers are on site.\n\nServices: Email\n")
    assert update.html == ""
