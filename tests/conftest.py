from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from borough.core import roles
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "correct horse battery"

# A property test that fails in CI prints the blob that replays its example
# (@reproduce_failure): CI's checkout, and its .hypothesis database, are gone by the time
# anyone reads the log. The test modules' own @settings inherit this profile.
hypothesis_settings.register_profile("borough", print_blob=True)
hypothesis_settings.load_profile("borough")


def pytest_addoption(parser):
    parser.addoption(
        "--update-query-baseline", action="store_true", default=False,
        help="Rewrite tests/query_baseline.json with the query counts measured "
             "(tests/declared/test_query_counts.py) instead of comparing with it.")
    parser.addoption(
        "--database-tests-only", action="store_true", default=False,
        help="Run only the tests that use the database (.ci/run's second pass, on "
             "PostgreSQL: the others ran in the first and do the same on any database).")


def pytest_itemcollected(item):
    """For xdist's `--dist loadgroup` (make test, .ci/run): a test file is one unit of work
    (module fixtures stay on one worker), except tests that name their own `xdist_group`
    (the API fuzz test's shards). Marked as each is collected, before xdist reads marks."""
    if item.get_closest_marker("xdist_group") is None:
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The sharded tests first, after any shuffling, then the other long files: started
    last, a long one left the other worker idle at the end (longest first is the
    usual remedy for unequal jobs on a few workers)."""
    if config.getoption("--database-tests-only"):
        without = [item for item in items if not uses_database(item)]
        if without:
            config.hook.pytest_deselected(items=without)
            items[:] = [item for item in items if uses_database(item)]
    items.sort(key=lambda item: FIRST.get(item.nodeid.split("::")[0], len(FIRST)))


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def uses_database(item) -> bool:
    return (item.get_closest_marker("django_db") is not None
            or not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())))


# Files whose tests are sharded with their own xdist_group marks.
SHARDED_FILES = {"tests/test_api_fuzz.py"}
# Files of a minute or more (--durations, December 2026), longest first after the shards.
LONG_FILES = ("tests/browser/test_page_sweep.py", "tests/test_bench_cmdb.py",
              "tests/test_bench_email.py", "tests/mail/test_flood.py")
FIRST = {name: 0 for name in SHARDED_FILES} | {
    name: n for n, name in enumerate(LONG_FILES, start=1)}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counts live in the (in-process) cache: each test starts from none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    """Each test starts with empty per-process caches (core.perf.cache): an organisation's
    id and config_version repeat from one test's database to the next."""
    from borough.core.perf.cache import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture(autouse=True)
def _celery_join_flag_cleared():
    """Celery's eager mode marks "inside a task" in one process-wide flag, saved before
    and restored after each task: two threads running tasks at once (the mail gateway's
    deliveries in tests/mail/test_flood.py) can leave it set, and a later test's
    `result.get()` is then refused ("Never call result.get() within a task!")."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _daily_totals_add_up(request):
    """After every test that used the database, the service desk's daily totals are what
    its tickets add up to: a way of writing tickets that forgets them fails here."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        yield
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or (
        marker is not None and marker.kwargs.get("transaction"))
    # Requested here so the check runs before the database is rolled back or flushed.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    from borough.servicedesk import daily

    assert daily.differences() == []


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Copeland Borough Council", code="cbc")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Eskmouth District Council", code="edc")


def make_member(organisation, role: str, username: str | None = None):
    username = username or f"{organisation.code}-{role.lower().replace(' ', '-')}"
    user = UserFactory(username=username)
    first = not user.memberships.exists()
    MembershipFactory(user=user, organisation=organisation, role=Group.objects.get(name=role),
                      is_default=first)
    return user


@pytest.fixture
def member(org_a):
    """member(role, org=None, username=None) -> a user with that role."""

    def _member(role: str, organisation=None, username: str | None = None):
        return make_member(organisation or org_a, role, username)

    return _member


@pytest.fixture
def admin_a(org_a):
    return make_member(org_a, roles.ADMINISTRATOR)


@pytest.fixture
def admin_b(org_b):
    return make_member(org_b, roles.ADMINISTRATOR)


def sign_in(user, *, api: bool = False, organisation=None):
    """A new test client (a DRF APIClient with `api=True`) signed in as `user` by session,
    working in `organisation` (by default the one the middleware would choose). The
    organisation is stored in the session at once, so the first request makes no session
    write of its own, and set on `user` too, for services the test calls as that user."""
    from django.test import Client
    from rest_framework.test import APIClient

    from borough.accounts.middleware import SESSION_KEY, choose_organisation

    client = APIClient() if api else Client()
    client.force_login(user)
    org_id = organisation.pk if organisation is not None else choose_organisation(user, None)
    session = client.session
    session[SESSION_KEY] = org_id
    session.save()
    user.active_organisation_id = org_id
    return client


@pytest.fixture
def signed_in(db):
    """signed_in(user, *, api=False, organisation=None) -> a client signed in as user
    (see sign_in): the one way tests sign in, for pages and the API alike."""
    return sign_in


@pytest.fixture
def api_client():
    """An APIClient signed in as nobody (anonymous callers, tokens)."""
    from rest_framework.test import APIClient

    return APIClient()
