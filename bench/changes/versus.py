"""The schedule and the suggestions of another checkout against this one, paired: in one
process, on the database schedule.py and suggestions.py seeded, each month (each
ticket's text) answered by the other checkout's module and by this one's in turn, so a
busy machine slows both alike. Also checks that both give the same answers.

    DATABASE_URL=... .venv/bin/python -m bench.changes.versus --old /work/main/src \\
        [--months 40] [--texts 100] [--out FILE]

The other checkout's `changes/queries.py`, `problems/queries.py` and
`knowledge/queries.py` are loaded under other names; what they import comes from this
checkout (the conflict rules, the CMDB's walks, the text search), so what is compared is
those modules' own work. Never in tests: timings are only looked at here."""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.changes import percentiles, report


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=True, help="the other checkout's src directory")
    parser.add_argument("--months", type=int, default=40)
    parser.add_argument("--texts", type=int, default=100)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    import django

    django.setup()
    from bench.changes.suggestions import sentence
    from borough.accounts.models import User
    from borough.changes import queries as new_changes
    from borough.cmdb.models import ConfigurationItem
    from borough.knowledge import queries as new_knowledge
    from borough.problems import queries as new_problems

    old = Path(args.old) / "borough"
    old_changes = load(old / "changes" / "queries.py", "bench_old_changes_queries")
    old_problems = load(old / "problems" / "queries.py", "bench_old_problems_queries")
    old_knowledge = load(old / "knowledge" / "queries.py", "bench_old_knowledge_queries")
    user = User.objects.get(username="bench-changes")
    user.active_organisation_id = user.memberships.order_by("pk").first().organisation_id
    origin = datetime(2027, 1, 1, tzinfo=UTC)
    rng = random.Random(5)

    def month(module, first):
        found = module.schedule(user, first, first + timedelta(days=31))
        return sorted((pk, tuple(sorted(words))) for pk, words in found.conflicted.items())

    started = time.perf_counter()
    month(new_changes, origin)  # what this checkout keeps is built before timing
    first_ms = (time.perf_counter() - started) * 1000
    timings: dict[str, list[float]] = {"old": [], "new": []}
    differ = 0
    for n in range(args.months + 2):
        first = origin + timedelta(days=30 * rng.randrange(0, 23))
        answers = {}
        for side in (("old", "new") if n % 2 else ("new", "old")):
            module = old_changes if side == "old" else new_changes
            begun = time.perf_counter()
            answers[side] = month(module, first)
            if n >= 2:  # the first two warm the connection and the plans
                timings[side].append((time.perf_counter() - begun) * 1000)
        differ += answers["old"] != answers["new"]
    result = {"schedule": {side: percentiles(t) for side, t in timings.items()},
              "schedule_first_new_ms": round(first_ms, 1),
              "schedule_months": args.months, "schedule_answers_differ": differ}

    items = list(ConfigurationItem.objects.filter(
        organisation_id=user.active_organisation_id).order_by("pk")
        .values_list("pk", flat=True)[:20_000])
    rng = random.Random(11)
    timings = {"old": [], "new": []}
    differ = 0
    for n in range(args.texts + 5):
        text = f"{sentence(rng, 6)} {sentence(rng, 25)}"
        ci_id = rng.choice(items)
        answers = {}
        for side in (("old", "new") if n % 2 else ("new", "old")):
            problems, knowledge = ((old_problems, old_knowledge) if side == "old"
                                   else (new_problems, new_knowledge))
            begun = time.perf_counter()
            errors = problems.known_error_suggestions(user, ci_id=ci_id, text=text)
            articles = knowledge.staff_suggestions(user, text)
            if n >= 5:
                timings[side].append((time.perf_counter() - begun) * 1000)
            answers[side] = ([e.pk for e in errors], [a.pk for a in articles])
        differ += answers["old"] != answers["new"]
    result.update({"suggestions": {side: percentiles(t) for side, t in timings.items()},
                   "suggestion_texts": args.texts, "suggestion_answers_differ": differ,
                   "load_average": os.getloadavg()})
    report(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
