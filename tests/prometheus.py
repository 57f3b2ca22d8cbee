"""A throwaway Prometheus (Debian's prometheus) scraping a throwaway node_exporter
(Debian's prometheus-node-exporter) every second, both on free local ports with their
data in a temporary directory, for the Prometheus source tests
(tests/capacity/test_prometheus.py). It also scrapes two ports where nothing listens, so
their `up` is 0: job "down" stays so, and job "flaky" comes up when a test serves
metrics on its port (`SCRAPED`; tests/availability/test_monitoring_prometheus.py).
Skipped where the programs are absent, unless
BOROUGH_REQUIRE_PROMETHEUS=1 (CI), when the tests fail instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.slapd import free_port

# Job name -> "host:port" Prometheus scrapes for the down targets, set by the fixture.
SCRAPED: dict[str, str] = {}


def _unavailable(reason: str):
    if os.environ.get("BOROUGH_REQUIRE_PROMETHEUS") == "1":
        pytest.fail(f"BOROUGH_REQUIRE_PROMETHEUS=1 but {reason}")
    pytest.skip(reason)


def _program(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}", f"/usr/local/bin/{name}")
         if Path(p).exists()), None)


def get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local test server
        return json.loads(response.read())


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def prometheus_server():
    """The base URL of a Prometheus that has scraped node_exporter a few times."""
    prometheus_bin = _program("prometheus")
    exporter_bin = _program("prometheus-node-exporter") or _program("node_exporter")
    if prometheus_bin is None or exporter_bin is None:
        _unavailable("prometheus and prometheus-node-exporter are not installed (Debian: "
                     "apt-get install prometheus prometheus-node-exporter); the Prometheus "
                     "source tests need a real server")
    root = Path(tempfile.mkdtemp(prefix="borough-prometheus-"))
    exporter_port, prometheus_port = free_port(), free_port()
    SCRAPED.update({"down": f"127.0.0.1:{free_port()}", "flaky": f"127.0.0.1:{free_port()}"})
    jobs = {"node": f"127.0.0.1:{exporter_port}", **SCRAPED}
    (root / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n" + "".join(
            f"  - job_name: {job}\n    scrape_timeout: 1s\n    static_configs:\n"
            f"      - targets: ['{target}']\n" for job, target in jobs.items()))
    exporter = prometheus = None
    try:
        with (root / "exporter.log").open("w") as out:
            exporter = subprocess.Popen(
                [exporter_bin, f"--web.listen-address=127.0.0.1:{exporter_port}"],
                stdout=out, stderr=subprocess.STDOUT)
        with (root / "prometheus.log").open("w") as out:
            prometheus = subprocess.Popen(
                [prometheus_bin, f"--config.file={root / 'prometheus.yml'}",
                 f"--storage.tsdb.path={root / 'data'}",
                 f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{prometheus_port}"
        deadline = time.monotonic() + 60
        while True:
            for name, process in (("node_exporter", exporter), ("prometheus", prometheus)):
                if process.poll() is not None:
                    log = (root / ("exporter.log" if name == "node_exporter"
                                   else "prometheus.log")).read_text()[-2000:]
                    pytest.fail(f"{name} exited: {log}")
            try:
                # Enough samples for a rate over 10 s.
                query = quote('count_over_time(up{job="node"}[30s])')
                answer = get_json(f"{base}/api/v1/query?query={query}")
                result = answer["data"]["result"]
                if result and float(result[0]["value"][1]) >= 12:
                    break
            except (OSError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("Prometheus did not scrape node_exporter within 60 s: "
                            + (root / "prometheus.log").read_text()[-2000:])
            time.sleep(0.5)
        yield base
    finally:
        _stop(prometheus)
        _stop(exporter)
        shutil.rmtree(root, ignore_errors=True)
