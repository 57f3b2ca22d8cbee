import pytest


@pytest.fixture(autouse=True)
def notifications_at_once(monkeypatch):
    """Notifications are written when the transaction commits; a test's transaction never
    does, so here they are written at once, to be read back."""
    from borough.core import notifications

    monkeypatch.setattr(notifications.transaction, "on_commit",
                        lambda do, *args, **kwargs: do())


@pytest.fixture
def council(org_a):
    """Copeland with its change advisory board (tests/changes/world.py)."""
    from tests.changes.world import copeland

    return copeland(org_a)


@pytest.fixture
def authorised(council):
    """authorised(**change fields) -> a change the board authorised (scheduled)."""
    from borough.changes import services as changes

    def make(owner=None, **fields):
        change = council.change(**fields)
        if owner is not None:  # the world's changes are the change manager's
            type(change).objects.filter(pk=change.pk).update(owner=owner)
            change.refresh_from_db()
        change = council.with_board(change)
        for key in ("cab1", "cab2"):
            changes.vote(change, actor=council.users[key], decision="approve")
        change.refresh_from_db()
        changes.authorise(change, actor=council.users["chair"], note="Go ahead.")
        change.refresh_from_db()
        return change
    return make


@pytest.fixture
def release(council):
    """release(changes=(), **fields) -> a draft release made through the services, owned
    by the change manager, with test and live dates."""
    import datetime

    from borough.releases import models as m
    from borough.releases import services

    def make(changes=(), by="manager", **fields):
        fields.setdefault("title", "Financials upgrade")
        fields.setdefault("planned_test_date", datetime.date(2030, 1, 7))
        fields.setdefault("planned_live_date", datetime.date(2030, 1, 21))
        fields.setdefault("owner", council.people["manager"])
        return services.create_release(m.Release(organisation_id=council.org.pk, **fields),
                                       actor=council.users[by], changes=changes)
    return make
