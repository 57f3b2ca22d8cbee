"""The Prometheus server fixture (tests/prometheus.py) for the Prometheus source tests."""

from tests.prometheus import prometheus_server  # noqa: F401 - a session fixture
