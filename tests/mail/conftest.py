"""A service desk that receives mail: the desk of the service desk tests, a mailbox for
it, and the SMTP gateway in front of it (writing and sending mail: tests/smtp.py)."""

from __future__ import annotations

import pytest

from borough.mail.models import Mailbox
from tests import smtp
from tests.servicedesk.conftest import desk, rita  # noqa: F401 - fixtures
from tests.smtp import DESK_ADDRESS, email  # noqa: F401 - the mail tests' message writer


def make_mailbox(desk) -> Mailbox:  # noqa: F811 - the fixture's value
    return Mailbox.objects.create(organisation=desk.org, name="IT help", address=DESK_ADDRESS,
                                  is_default=True)


@pytest.fixture
def mailbox(desk):  # noqa: F811
    return make_mailbox(desk)


@pytest.fixture
def gate(mailbox):
    """The SMTP gateway, running in this process, in front of the desk's mailbox."""
    with smtp.gateway() as running:
        yield running
