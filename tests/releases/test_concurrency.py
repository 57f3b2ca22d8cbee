"""A change is in at most one open release, however many people add it at once: the rule
is checked inside the write with the change locked (Release.clean_related), not only by
the form that read it a moment before."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from borough.releases import models as m
from borough.releases import services
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4


@pytest.fixture
def file_database():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
            ("file:memorydb", ":memory:")):
        pytest.skip("in-memory SQLite is one connection; concurrency runs on a file or "
                    "PostgreSQL")


def test_releases_made_at_once_with_the_same_change_take_it_once(council, file_database):
    change = council.change(title="Upgrade the financial system")
    owner = council.people["manager"]

    def make(i):
        release = m.Release(organisation_id=council.org.pk, title=f"Release {i}",
                            owner=owner, planned_test_date=datetime.date(2030, 1, 7),
                            planned_live_date=datetime.date(2030, 1, 21))
        return services.create_release(release, actor=council.users["manager"],
                                       changes=[change])

    made, errors = run_in_threads(make, WRITERS)
    assert len(made) == 1, errors
    assert len(errors) == WRITERS - 1
    assert all(isinstance(e, ValidationError) and "at most one open release" in str(e)
               for e in errors), errors
    assert m.Release.changes.through.objects.filter(change=change).count() == 1
