"""Database connections stay bounded under the development server (issue 15, item 9).

A persistent connection stays with the thread that opened it, and the development server
(like pytest's live_server) gives each client connection a thread of its own for as long
as the client keeps it open. With DATABASE_CONN_MAX_AGE=60, 20 clients that kept their
connections alive held 20 idle PostgreSQL connections until max_connections ran out.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

CLIENTS = 24

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="counts PostgreSQL's connections (DATABASE_URL=postgres://...)")


def server_connections() -> int:
    """Connections to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def held_while_clients_stay_connected(url: str) -> int:
    """Connections the server holds while CLIENTS keep-alive clients, each having made a
    request that used the database, keep their connections open."""
    address = urlsplit(url)
    answered = threading.Barrier(CLIENTS + 1)
    done = threading.Event()
    statuses = []

    def client():
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            conn.request("GET", "/health/")
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            answered.wait(timeout=30)
            done.wait(timeout=30)  # the connection stays open until counted
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        answered.wait(timeout=30)
        return server_connections()
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses == [200] * CLIENTS


@postgresql_only
def test_keep_alive_clients_hold_no_idle_connections_with_the_default_settings(live_server):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert held_while_clients_stay_connected(live_server.url) == 0


@postgresql_only
def test_the_old_default_held_one_connection_per_client(live_server):
    """The failure mode the default avoids, so that the test above can fail."""
    options = connections.settings["default"]  # read by each new thread's connection
    options["CONN_MAX_AGE"] = 60
    try:
        assert held_while_clients_stay_connected(live_server.url) >= CLIENTS
    finally:
        options["CONN_MAX_AGE"] = 0


# --- The defaults themselves, whatever database the suite runs on ------------------------------


def conn_max_age_in_a_fresh_process(tmp_path, **env: str) -> int:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['CONN_MAX_AGE'])")
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
                   "PYTHONPATH": os.pathsep.join(p for p in sys.path if p.endswith("src")),
                   "DJANGO_SETTINGS_MODULE": "borough.settings",
                   "BOROUGH_DATA_DIR": str(tmp_path / "data"),
                   "DATABASE_URL": "postgres://borough@127.0.0.1:5432/borough", **env}
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_postgresql_connections_last_one_request_unless_configured(tmp_path):
    assert conn_max_age_in_a_fresh_process(tmp_path) == 0
    assert conn_max_age_in_a_fresh_process(tmp_path, DATABASE_CONN_MAX_AGE="30") == 30


def test_serve_keeps_connections_for_gunicorns_fixed_threads(monkeypatch):
    handed_over = {}
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    monkeypatch.setattr(os, "execv", lambda path, argv: handed_over.update(
        argv=argv, age=os.environ.get("DATABASE_CONN_MAX_AGE")))
    call_command("serve", "--workers", "3", "--threads", "5")
    assert handed_over["age"] == "60"
    argv = handed_over["argv"]
    assert argv[argv.index("--workers"):argv.index("--workers") + 4] == [
        "--workers", "3", "--threads", "5"]
