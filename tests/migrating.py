"""Moving a database to a migration and back, for the tests of data migrations.

Two ways. `migrate` rewinds the test database itself: each step back re-renders every
model related to the one it alters, and with the organisation behind nearly every model
a rewind past an early migration costs minutes. `database_at` instead builds a database
of its own from empty, only as far as the migration, and stands it in for the default
connection: cheap for an early migration, and the test database is never touched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor


def migrate(*targets):
    """Migrate to `targets`, each (app, name), and return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def migrate_to_latest():
    """Later tests on this database expect every migration applied."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    executor.loader.build_graph()
    assert executor.migration_plan(latest) == []


def made(apps, label: str, **fields) -> int:
    """A row made with the historical model `label` ("app.Model"); its id."""
    return apps.get_model(label).objects.create(**fields).pk


def organisation(apps, name: str = "Copeland", code: str = "cbc") -> int:
    """An organisation as the historical models make one: bare, for no signal runs (no
    shipped classes, no office hours)."""
    return made(apps, "organisation.Organisation", name=name, code=code,
                nation="england-and-wales")


@contextlib.contextmanager
def database_at(*targets):
    """A new database migrated from empty to `targets`, as the default connection while
    the block runs; yields the models as they were there. Needs a transactional test
    (PostgreSQL creates databases only outside a transaction)."""
    real = connections[DEFAULT_DB_ALIAS]
    with _scratch(real) as settings_dict:
        scratch = real.__class__(settings_dict, alias=DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = scratch
        try:
            yield migrate(*targets)
        finally:
            scratch.close()
            connections[DEFAULT_DB_ALIAS] = real


@contextlib.contextmanager
def _scratch(real):
    if real.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield {**real.settings_dict, "NAME": os.path.join(folder, "scratch.sqlite3")}
        return
    name = f"{real.settings_dict['NAME']}_scratch"
    quoted = real.ops.quote_name(name)
    with real.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        yield {**real.settings_dict, "NAME": name}
    finally:
        with real.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
