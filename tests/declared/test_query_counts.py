"""Query counts of every registered model's reading pages and API calls, per role, pinned
in tests/query_baseline.json: a change shows in review as a change to that file.

Caches a first request fills are warmed first (see `measure`), so a count does not
depend on what ran before. The list page, the CSV export and the API list are counted
with 1 row and with 25 (or as many as a council can have), each row with related
records of its own: they must cost the same (no N+1).

`pytest tests/declared/test_query_counts.py --update-query-baseline` rewrites the
counts of the models it runs (keys are "<app.Model> <what> <role>", per database
vendor); without the option a count that differs from the file fails."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.declared import baseline
from tests.declared.cases import (
    ENTRIES,
    ROLES,
    case_for,
    entry_id,
    expected,
    make_world,
    rich_rows,
)

pytestmark = pytest.mark.django_db

# Page or API call -> the op whose permission and departures apply.
COUNTED = {"list": "list", "export": "export", "api-list": "list", "detail": "detail",
           "history": "detail", "api-retrieve": "detail"}
# Those that read every row: counted with 1 row and with many, and must cost the same.
GROWING = ("list", "export", "api-list")
MANY = 25


def url_for(entry, what, record) -> str:
    api = f"api:{entry.app_label}-{entry.model_name}"
    return {
        "list": lambda: reverse(entry.url_name("list")),
        "export": lambda: reverse(entry.url_name("export"), args=["csv"]),
        "detail": lambda: reverse(entry.url_name("detail"), args=[record.pk]),
        "history": lambda: reverse(entry.url_name("history"), args=[record.pk]),
        "api-list": lambda: reverse(f"{api}-list"),
        "api-retrieve": lambda: reverse(f"{api}-detail", args=[record.pk]),
    }[what]()


def measure(entry, clients, record, whats) -> dict[tuple[str, str], int]:
    """(what, role) -> queries of one request, for each role that may make it. Each
    reader's request is made twice, the first time to warm the caches a first request
    fills (content types, the desk's configuration, compiled SQL, the person's saved
    views); per-role state that could make a first request differ (the session's
    organisation) is set at sign-in."""
    found = {}
    for what in whats:
        url = url_for(entry, what, record)
        readers = [r for r in ROLES if expected(entry.model, COUNTED[what], r).kind == "allowed"]
        for role in readers:
            clients[role].get(url)
            with CaptureQueriesContext(connection) as queries:
                response = clients[role].get(url)
            assert response.status_code == 200, (url, role, response.status_code)
            found[what, role] = len(queries)
    return found


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_reading_costs_what_the_baseline_says(entry, signed_in, request):
    label = entry_id(entry)
    world = make_world(entry, ROLES)
    record = rich_rows(entry, world, 1)[0]
    clients = {role: signed_in(user, api=True) for role, user in world.users.items()}
    many = min(MANY, case_for(entry).most_rows)

    one = measure(entry, clients, record, GROWING)
    rich_rows(entry, world, many - 1)
    counts = measure(entry, clients, record, COUNTED)

    grew = [f"{what} as {role}: {n} with 1 row, {counts[what, role]} with {many}"
            for (what, role), n in one.items() if counts[what, role] != n]
    assert grew == [], f"{label}: queries per row (N+1):\n" + "\n".join(grew)
    # Pinned: the list at both sizes; the rest (equal at both sizes, as checked) once.
    pinned = {f"{label} {f'list/{many}' if what == 'list' else what} {role}": n
              for (what, role), n in counts.items()}
    pinned |= {f"{label} list/1 {role}": n for (what, role), n in one.items() if what == "list"}
    baseline.check(request.config, label, pinned)


def test_the_baseline_counts_only_registered_models(request):
    unknown = baseline.drop_unknown(request.config, {entry_id(e) for e in ENTRIES})
    assert unknown == [], f"tests/{baseline.PATH.name} counts models no longer registered: " \
                          f"{unknown}; run with {baseline.OPTION} to drop them."
