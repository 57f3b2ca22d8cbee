"""What the service desk tells people of (core.notifications), with Borough's wording
for each email. Every ticket email has the common values (reference, title, summary,
body, url, recipient_name, organisation, status); the requester's resolved email also
carries the signed links of servicedesk.links."""

from __future__ import annotations

from borough.core.notifications import Audience, NotificationEvent

CREATED = "ticket-created"
REPLY = "ticket-reply"
ASSIGNED = "ticket-assigned"
SLA_WARNING = "sla-warning"
SLA_BREACH = "sla-breach"
RESOLVED = "ticket-resolved"
REOPENED = "ticket-reopened"

EVENTS = (
    NotificationEvent(
        CREATED, "Ticket received (to the requester)", Audience.REQUESTER, auto_reply=True,
        subject="{{ summary }}",
        text="Hello {{ recipient_name }},\n\nWe have logged your request as {{ reference }}: "
        "{{ title }}.\n\n{{ body }}\n\nReply to this email to add to it, keeping "
        "[{{ reference }}] in the subject.\n\nFollow it here: {{ url }}\n\n{{ organisation }}"
        " ICT service desk",
        html="<p>Hello {{ recipient_name }},</p><p>We have logged your request as <strong>"
        "{{ reference }}</strong>: {{ title }}.</p><p>{{ body|linebreaksbr }}</p><p>Reply to "
        "this email to add to it.</p><p><a href=\"{{ url }}\">Follow {{ reference }}</a></p>"
        "<p>{{ organisation }} ICT service desk</p>",
    ),
    NotificationEvent(
        REPLY, "Public reply",
        subject="{{ summary }}",
        text="{{ body }}\n\n--\n{{ reference }}: {{ title }}\nReply to this email to answer.\n"
        "{{ url }}",
        html="<p>{{ body|linebreaksbr }}</p><hr><p>{{ reference }}: {{ title }}<br>Reply to "
        "this email to answer. <a href=\"{{ url }}\">Open {{ reference }}</a></p>",
    ),
    NotificationEvent(
        ASSIGNED, "Ticket assigned",
        subject="{{ summary }}",
        text="{{ reference }}: {{ title }} is now assigned to you.\n\n{{ url }}",
        html="<p><a href=\"{{ url }}\">{{ reference }}</a>: {{ title }} is now assigned to "
        "you.</p>",
    ),
    NotificationEvent(
        SLA_WARNING, "SLA warning",
        subject="{{ summary }}",
        text="{{ reference }}: {{ title }} has used most of its time to resolve.\n\n{{ url }}",
        html="<p><a href=\"{{ url }}\">{{ reference }}</a>: {{ title }} has used most of its "
        "time to resolve.</p>",
    ),
    NotificationEvent(
        SLA_BREACH, "SLA breach",
        subject="{{ summary }}",
        text="{{ reference }}: {{ title }} has missed its service level target.\n\n{{ url }}",
        html="<p><a href=\"{{ url }}\">{{ reference }}</a>: {{ title }} has missed its "
        "service level target.</p>",
    ),
    NotificationEvent(
        RESOLVED, "Ticket resolved (to the requester)", Audience.REQUESTER,
        subject="{{ summary }}",
        text="Hello {{ recipient_name }},\n\nWe have resolved {{ reference }}: {{ title }}.\n\n"
        "{{ body }}\n\nIs it fixed? Confirm: {{ confirm_url }}\nNot fixed? Reopen it: "
        "{{ reopen_url }} (or reply to this email)\nTell us how we did: {{ rate_url }}\n\n"
        "{{ organisation }} ICT service desk",
        html="<p>Hello {{ recipient_name }},</p><p>We have resolved <strong>{{ reference }}"
        "</strong>: {{ title }}.</p><p>{{ body|linebreaksbr }}</p><ul><li><a href=\""
        "{{ confirm_url }}\">Yes, it is fixed</a></li><li><a href=\"{{ reopen_url }}\">No, "
        "reopen it</a> (or reply to this email)</li><li><a href=\"{{ rate_url }}\">Tell us "
        "how we did</a></li></ul><p>{{ organisation }} ICT service desk</p>",
        # Signed links for the requester (servicedesk.links), added by the email channel.
        context={"confirm_url": "A link that confirms the fix, without signing in",
                 "reopen_url": "A link that reopens the ticket, without signing in",
                 "rate_url": "A link to rate how the desk did, without signing in"},
    ),
    NotificationEvent(
        REOPENED, "Ticket reopened",
        subject="{{ summary }}",
        text="{{ reference }}: {{ title }} was reopened.\n\n{{ body }}\n\n{{ url }}",
        html="<p><a href=\"{{ url }}\">{{ reference }}</a>: {{ title }} was reopened.</p>"
        "<p>{{ body|linebreaksbr }}</p>",
    ),
)
