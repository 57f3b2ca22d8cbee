from tests.problems.conftest import auditor, notifications_at_once  # noqa: F401
from tests.servicedesk.conftest import desk  # noqa: F401
