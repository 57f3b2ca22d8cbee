import pytest


@pytest.fixture(autouse=True)
def notifications_at_once(monkeypatch):
    """Notifications are written when the transaction commits; a test's transaction never
    does, so here they are written at once, to be read back."""
    from borough.core import notifications

    monkeypatch.setattr(notifications.transaction, "on_commit",
                        lambda do, *args, **kwargs: do())


@pytest.fixture
def manager(org_a):
    from tests.conftest import make_member

    return make_member(org_a, "ICT Manager")
