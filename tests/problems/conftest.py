import pytest

from borough.core import roles
from borough.servicedesk import services as desk_services
from borough.servicedesk.models import TicketType
from tests.conftest import make_member
from tests.servicedesk.conftest import desk  # noqa: F401  (the small desk these tests use)


@pytest.fixture(autouse=True)
def notifications_at_once(monkeypatch):
    """Notifications are written when the transaction commits; a test's transaction never
    does, so here they are written at once, to be read back."""
    from borough.core import notifications

    monkeypatch.setattr(notifications.transaction, "on_commit",
                        lambda do, *args, **kwargs: do())


@pytest.fixture
def auditor(desk):  # noqa: F811
    user = make_member(desk.org, roles.AUDITOR, "auditor")
    user.active_organisation_id = desk.org.pk
    return user


def raise_incident(desk, **extra):  # noqa: F811
    fields = {"title": "Wi-Fi dropping in the council chamber",
              "description": "The Wi-Fi drops every few minutes."} | extra
    return desk_services.raise_ticket(desk.org.pk, actor=desk.agent,
                                      ticket_type=fields.pop("ticket_type", TicketType.INCIDENT),
                                      requester=fields.pop("requester", desk.requester_person),
                                      **fields)
