"""`borough mailgate` as a process: it listens, answers, and stops cleanly on SIGTERM
(as systemd stops it)."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time

from tests.smtp import free_port


def test_mailgate_serves_smtp_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "BOROUGH_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
           "borough.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'gate.sqlite3'}"}
    gate = subprocess.Popen([sys.executable, "-m", "borough.cli", "mailgate", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=10)
                break
            except OSError:
                assert gate.poll() is None and time.monotonic() < deadline, gate.stdout.read()
                time.sleep(0.2)
        with client:
            assert client.ehlo()[0] == 250
            # An unmigrated database: the address cannot be checked, so "try again later".
            code, _ = client.docmd("MAIL FROM:<a@b.example>")
            assert code == 250
            code, _ = client.docmd("RCPT TO:<ithelp@cbc.example.gov.uk>")
            assert code == 451
    finally:
        gate.send_signal(signal.SIGTERM)
        output = gate.communicate(timeout=30)[0]
    assert gate.returncode == 0, output
    assert f"Receiving mail on 127.0.0.1:{port}" in output
