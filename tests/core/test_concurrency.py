"""Reference numbers and versions under real concurrent writers (threads, own connections)."""

from __future__ import annotations

import pytest
from django.db import connection

from borough.core import references, services
from borough.organisation.models import ServiceUnit
from tests.factories import ServiceUnitFactory
from tests.threads import run_in_threads as _run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 8


def run_in_threads(target, count=WORKERS):
    return _run_in_threads(target, count)


@pytest.fixture
def file_database(settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("in-memory SQLite is one connection; concurrency runs on a file or PostgreSQL")


def test_concurrent_reference_allocation_never_repeats(org_a, file_database):
    results, errors = run_in_threads(lambda i: references.allocate(org_a.pk, "INC"))
    assert not errors
    assert sorted(results) == [f"INC-{n:06d}" for n in range(1, WORKERS + 1)]


def test_concurrent_updates_have_one_winner(org_a, file_database):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")

    def rename(i):
        return services.update_record(
            ServiceUnit.objects.get(pk=unit.pk), actor=None, data={"name": f"Housing {i}"},
            expected_version=1,
        )

    results, errors = run_in_threads(rename)
    assert len(results) == 1
    assert all(isinstance(e, services.StaleVersionError) for e in errors)
    unit.refresh_from_db()
    assert unit.version == 2
