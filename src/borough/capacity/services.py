"""Capacity's writes as other apps and the demo reach them: taking measurements in,
rolling them up and removing old raw points. Metrics themselves are created, changed and
deleted through core.services (their registry entry)."""

from __future__ import annotations

from borough.capacity import forecasts, ingest, rollups

store_points = ingest.store
push = ingest.push
roll_up = rollups.roll_up
# Every metric with a threshold forecast, problems raised for overloads (the nightly job).
forecast_all = forecasts.forecast_all
recompute = rollups.recompute
remove_old_points = rollups.remove_old_points
raw_cutoff = ingest.raw_cutoff
