"""A change to an organisation's calendar or desk settings is seen by every process at
once: two processes on one database (SQLite file or PostgreSQL), each keeping its own
copies (core.perf.cache), each writing through core.services in turn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from borough.core import services as core_services
from borough.core.perf.cache import caches
from borough.organisation.models import ClosureDay, WorkingPeriod
from borough.organisation.services import create_organisation
from borough.servicedesk import queries
from borough.servicedesk.models import DeskSettings

ROOT = Path(__file__).resolve().parents[2]

# The other process: reads or changes the organisation's configuration on each line of
# its standard input, and answers with one line of JSON.
OTHER = """
import json, sys
from datetime import time
import django
django.setup()
from borough.core import services
from borough.core.perf.cache import caches
from borough.organisation.models import WorkingPeriod
from borough.servicedesk import queries
from borough.servicedesk.models import DeskSettings

org = int(sys.argv[1])
for line in sys.stdin:
    command = line.strip()
    if command == "read":
        calendar = queries.calendar(org)
        config = queries.desk_config(org)
        answer = {"monday": [[str(a), str(b)] for a, b in calendar.hours.get(0, ())],
                  "closed": sorted(str(d) for d in calendar.closed_dates if d.year == 2031),
                  "warning": config.warning_percent,
                  "builds": caches()["calendars"].misses + caches()["desk-configs"].misses}
    elif command == "shorten-tuesday":
        period = WorkingPeriod.objects.get(organisation_id=org, weekday=1)
        services.update_record(period, actor=None, data={"end": time(12)}, expected_version=None)
        answer = {"done": True}
    elif command == "warn-earlier":
        desk = DeskSettings.objects.get(organisation_id=org)
        services.update_record(desk, actor=None, data={"warning_percent": 60},
                               expected_version=None)
        answer = {"done": True}
    print(json.dumps(answer), flush=True)
"""


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    return (f"postgres://{quote(settings['USER'], safe='')}{password}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")


class Other:
    """The other process, on the test's database."""

    def __init__(self, organisation_id: int, tmp_path):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "borough.settings",
               "BOROUGH_MODE": "test", "BOROUGH_DATA_DIR": str(tmp_path),
               "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT / "src")}
        self.errors = tmp_path / "other.err"  # a file: a full pipe would block the process
        with self.errors.open("w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", OTHER, str(organisation_id)], env=env, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)

    def __call__(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            raise AssertionError(self.errors.read_text())
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def read_here(org_id: int) -> dict:
    calendar = queries.calendar(org_id)
    return {"monday": [[str(a), str(b)] for a, b in calendar.hours.get(0, ())],
            "tuesday": [[str(a), str(b)] for a, b in calendar.hours.get(1, ())],
            "closed": sorted(str(d) for d in calendar.closed_dates if d.year == 2031),
            "warning": queries.desk_config(org_id).warning_percent}


@pytest.mark.django_db(transaction=True)
def test_each_process_sees_the_others_changes_on_its_next_read(tmp_path):
    org = create_organisation(actor=None, name="Allerdale", code="ald", nation="england-and-wales")
    core_services.create_record(DeskSettings(organisation=org), actor=None)
    other = Other(org.pk, tmp_path)
    try:
        # Both processes build and keep their copies; a second read builds nothing.
        first = other("read")
        assert first["monday"] == [["08:30:00", "17:00:00"]] and first["warning"] == 75
        assert other("read")["builds"] == first["builds"]
        assert read_here(org.pk)["warning"] == 75
        here_builds = caches()["calendars"].misses
        read_here(org.pk)
        assert caches()["calendars"].misses == here_builds

        # This process changes Monday's hours and adds a closure day; the other sees both
        # on its next read.
        monday = WorkingPeriod.objects.get(organisation=org, weekday=0)
        core_services.update_record(monday, actor=None, data={"start": time(9)},
                                    expected_version=None)
        core_services.create_record(ClosureDay(organisation=org, date=date(2031, 12, 29),
                                               name="Council closure"), actor=None)
        seen = other("read")
        assert seen["monday"] == [["09:00:00", "17:00:00"]]
        assert "2031-12-29" in seen["closed"]

        # The other process shortens Tuesday and lowers the warning; this one sees both.
        assert other("shorten-tuesday") == {"done": True}
        assert other("warn-earlier") == {"done": True}
        mine = read_here(org.pk)
        assert mine["tuesday"] == [["08:30:00", "12:00:00"]]
        assert mine["warning"] == 60
        assert other("read")["warning"] == 60
    finally:
        other.close()
