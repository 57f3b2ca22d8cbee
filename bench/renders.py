"""Pages rendered in-process and timed, for the profiling and pairing scripts
(bench/cmdb/profile.py, bench/commercial/profile.py, bench/commercial/paired.py): each
render's wall time, this process's CPU a render (steadier than the clock under load),
and the database's time and statements a render."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Renders:
    times: list[float] = field(default_factory=list)  # ms, in the order rendered
    cpu_ms: float = 0.0  # a render, mean
    sql_ms: float = 0.0  # a render, mean
    queries: float = 0.0  # a render, mean
    contents: dict[str, bytes] = field(default_factory=dict)  # by URL, when kept


def render_all(client, urls: list[str], *, keep: bool = False) -> Renders:
    """GET each URL with `client`; SystemExit if one does not answer 200."""
    found = Renders()
    sql = {"ms": 0.0, "queries": 0}

    def timed(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["ms"] += (time.perf_counter() - started) * 1000
            sql["queries"] += 1

    cpu_started = time.process_time()
    with connection.execute_wrapper(timed):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            found.times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if keep:
                found.contents[url] = response.content
    count = max(len(urls), 1)
    found.cpu_ms = (time.process_time() - cpu_started) * 1000 / count
    found.sql_ms = sql["ms"] / count
    found.queries = sql["queries"] / count
    return found
