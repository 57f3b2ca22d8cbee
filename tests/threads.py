"""Run a function in parallel threads, each with its own database connection."""

from __future__ import annotations

import threading

from django.db import close_old_connections, connection


def run_in_threads(target, count: int):
    """Start `count` threads together at a barrier; returns (results, errors)."""
    results, errors = [], []
    barrier = threading.Barrier(count)

    def work(index):
        try:
            barrier.wait()
            results.append(target(index))
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
