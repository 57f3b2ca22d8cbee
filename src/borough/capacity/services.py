"""Capacity's writes as other apps and the demo reach them: taking measurements in,
rolling them up and removing old raw points. Metrics themselves are created, changed and
deleted through core.services (their registry entry)."""

from __future__ import annotations

from borough.capacity import forecasts, ingest, prometheus, rollups
from borough.capacity.models import PrometheusSource
from borough.core.actions import Actions

store_points = ingest.store
push = ingest.push
roll_up = rollups.roll_up
# Every metric with a threshold forecast, problems raised for overloads (the nightly job).
forecast_all = forecasts.forecast_all
recompute = rollups.recompute
remove_old_points = rollups.remove_old_points
raw_cutoff = ingest.raw_cutoff
# f(metric id, earliest, latest) called for each up or down metric's points taken in.
listen_for_up_down = ingest.listen_for_up_down


# --- a Prometheus source's record action -------------------------------------------------


PROMETHEUS_ACTIONS = Actions(PrometheusSource)


def _queried(source: PrometheusSource) -> str:
    run = getattr(source, "run", None)
    if run is None:
        return f"{source.name} queried."
    said = f"{source.name} queried: {run.accepted:,} point{'s' if run.accepted != 1 else ''} kept"
    if run.refused:
        first = run.errors[0]["message"] if run.errors else ""
        said += (f", {run.refused:,} metric{'s' if run.refused != 1 else ''} with a problem"
                 f" ({first})")
    return said + "."


@PROMETHEUS_ACTIONS.action("query-now", label="Query now", success=_queried)
def query_now(source: PrometheusSource, *, actor) -> PrometheusSource:
    """Query the source's metrics now, as the periodic job does, and record the run: an
    administrator's test of the address, the authentication and the queries."""
    source.run = prometheus.collect_source(source, actor=actor)
    return source
