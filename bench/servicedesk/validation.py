"""What Ticket's validation shortcuts save on a ticket raised: in-process, A/B.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/borough_perf \\
      PYTHONPATH=. .venv/bin/python -m bench.servicedesk.validation [--rounds 6 --per-round 50]

On a database loaded by `borough demo`, signed in as the demo agent (Django's test
client: no HTTP, no server), it raises tickets by the staff form and by the API in
alternating blocks with Ticket's `core.perf.validation.LeanValidation` on and off
(switched between blocks), so both variants see the same machine.
Per variant and door: the mean and median time of a creation, and the queries it makes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
os.environ.setdefault("BOROUGH_MODE", "development")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from borough.accounts.models import User  # noqa: E402
from borough.organisation.models import Person  # noqa: E402
from borough.servicedesk.models import Ticket  # noqa: E402


def switch(on: bool) -> None:
    """Ticket with core.perf.validation.LeanValidation (on) or with Django's own checks
    (off: Model's methods put on the class, in front of the mixin's)."""
    for name in ("clean_fields", "get_constraints"):
        if on:
            if name in Ticket.__dict__:
                delattr(Ticket, name)
        else:
            setattr(Ticket, name, getattr(models.Model, name))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=50)
    args = parser.parse_args()
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # acknowledgements
    agent = User.objects.get(username="cbc-agent")
    org_id = agent.memberships.get().organisation_id
    requester = Person.objects.filter(organisation_id=org_id).order_by("pk").first()
    form = Client(HTTP_HOST="127.0.0.1")
    form.force_login(agent)
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_login(agent)

    def by_form():
        response = form.post("/service-desk/tickets/add/", {
            "ticket_type": "incident", "requester": requester.pk, "title": "Bench",
            "description": "Raised by bench/servicedesk/validation.py", "channel": "phone",
            "impact": "3", "urgency": "3", "submission_key": uuid.uuid4().hex})
        assert response.status_code == 302, response.content[:500]

    def by_api():
        response = api.post("/api/servicedesk/tickets/", {
            "title": "Bench", "description": "Raised by bench/servicedesk/validation.py",
            "requester": requester.pk, "impact": 2, "urgency": 2}, format="json")
        assert response.status_code == 201, response.content[:500]

    doors = {"form": by_form, "api": by_api}
    times = {(door, on): [] for door in doors for on in (True, False)}
    queries = {}
    for door, create in doors.items():
        for on in (True, False):  # warm-up: caches, templates, and the query counts
            switch(on)
            create()
            with CaptureQueriesContext(connection) as captured:
                create()
            queries[(door, on)] = len(captured)
    for round_ in range(args.rounds):
        for on in ((True, False) if round_ % 2 else (False, True)):
            switch(on)
            for door, create in doors.items():
                for _ in range(args.per_round):
                    started = time.perf_counter()
                    create()
                    times[(door, on)].append(time.perf_counter() - started)
    switch(True)
    report = {}
    for (door, on), values in times.items():
        report[f"{door}, shortcuts {'on' if on else 'off'}"] = {
            "creations": len(values), "queries": queries[(door, on)],
            "mean_ms": round(statistics.mean(values) * 1000, 2),
            "median_ms": round(statistics.median(values) * 1000, 2)}
    report["database"] = connection.vendor
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
