"""A service desk that receives mail: the desk of the service desk tests, a mailbox for
it, and a way to write messages as mail clients and mail servers do."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest

from borough.mail.models import Mailbox
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

DESK_ADDRESS = "ithelp@copeland.example.gov.uk"


@pytest.fixture
def mailbox(desk):  # noqa: F811
    return Mailbox.objects.create(organisation=desk.org, name="IT help", address=DESK_ADDRESS,
                                  is_default=True)


def email(*, sender="rita@copeland.example.gov.uk", subject="Printer jams", body="It jams.",
          to=DESK_ADDRESS, message_id=None, headers=None, html=None, attachments=()) -> bytes:
    """A message as a mail client sends it: bytes, lines ending CRLF."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="client.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=policy.SMTP)
