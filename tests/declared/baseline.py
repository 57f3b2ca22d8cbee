"""tests/query_baseline.json: the pinned query counts, one sorted "<app.Model> <what>
<role>": count per line, so a change to a count is a one-line change in review.

SQLite and PostgreSQL make the same number of queries for every count (both were
recorded when the file was written); should they ever differ, key the file by
`connection.vendor`. The counts are compared by default and rewritten, model by model,
with --update-query-baseline (under a file lock: xdist workers may write at once)."""

from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "query_baseline.json"
OPTION = "--update-query-baseline"


def load() -> dict[str, int]:
    return json.loads(PATH.read_text()) if PATH.exists() else {}


@contextmanager
def _editing():
    """The file's counts, written back sorted when the block ends; one writer at a time."""
    with open(PATH.with_name(f".{PATH.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        counts = load()
        yield counts
        PATH.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")


def model_of(key: str) -> str:
    return key.split(" ", 1)[0]


def check(config, label: str, measured: dict[str, int]) -> None:
    """Compare one model's counts with the file, or (with the option) replace them."""
    if config.getoption(OPTION):
        with _editing() as counts:
            for key in [k for k in counts if model_of(k) == label]:
                del counts[key]
            counts.update(measured)
        return
    recorded = {k: v for k, v in load().items() if model_of(k) == label}
    differences = [
        f"{key}: {recorded.get(key, 'not recorded')} in the file, "
        f"{measured.get(key, 'not measured')} now"
        for key in sorted(set(recorded) | set(measured)) if recorded.get(key) != measured.get(key)
    ]
    assert differences == [], (
        f"query counts differ from tests/{PATH.name}:\n" + "\n".join(differences)
        + f"\nIf that is intended, run the test with {OPTION} and commit the file.")


def drop_unknown(config, labels: set[str]) -> list[str]:
    """Counts of models that are not registered (any more); with the option, removed."""
    if config.getoption(OPTION):
        with _editing() as counts:
            for key in [k for k in counts if model_of(k) not in labels]:
                del counts[key]
    return sorted({model_of(k) for k in load() if model_of(k) not in labels})
