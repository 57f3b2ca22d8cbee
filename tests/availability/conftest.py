from tests.prometheus import prometheus_server  # noqa: F401  (the real Prometheus)
from tests.servicedesk.conftest import desk  # noqa: F401  (the small service desk fixture)
