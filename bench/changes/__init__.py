"""Change management's benchmarks: the forward schedule (schedule.py) and a ticket's
suggestions (suggestions.py), on the database schedule.py seeds."""

from __future__ import annotations

import json
import statistics


def percentiles(timings: list[float]) -> dict:
    """p50 and p95 of `timings` (ms), rounded to 0.1 ms."""
    ordered = sorted(timings)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)}


def report(result: dict, out: str) -> None:
    """Print the result, and write it to `out` when given."""
    print(json.dumps(result, indent=2))
    if out:
        with open(out, "w") as stream:
            json.dump(result, stream, indent=2)
