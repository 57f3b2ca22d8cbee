from tests.servicedesk.conftest import desk  # noqa: F401  (the small service desk fixture)
