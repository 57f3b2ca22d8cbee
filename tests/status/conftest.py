import pytest

from borough.core import roles
from tests.conftest import make_member
from tests.factories import BusinessServiceFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk's fixture


@pytest.fixture
def status(desk):  # noqa: F811 - the imported fixture
    """The desk, with two live services, an ICT manager and an auditor."""
    desk.email = BusinessServiceFactory(organisation=desk.org, name="Email")
    desk.payroll = BusinessServiceFactory(organisation=desk.org, name="Payroll")
    desk.manager = make_member(desk.org, roles.ICT_MANAGER, "manager")
    desk.auditor = make_member(desk.org, roles.AUDITOR, "auditor")
    for user in (desk.manager, desk.auditor):
        user.active_organisation_id = desk.org.pk
    return desk
