"""Push line protocol to a running Borough over HTTP, as Telegraf's outputs.influxdb
does, and time it:

    python bench/capacity/push.py --port 8000 --token TOKEN --points 500000 \
        --concurrency 1,4 [--batch 5000]

Each phase pushes its own new series (100 of them, first pushed once each so the unmapped
metrics exist before the clock starts), `--batch` lines a request, one field a line,
second-precision timestamps a minute apart ending now, from `concurrency` threads that
each keep one connection. Prints JSON: points a second per phase, and the p50/p95 of a
request."""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time

SERIES = 100


def post(conn: http.client.HTTPConnection, token: str, body: str) -> float:
    started = time.perf_counter()
    conn.request("POST", "/api/capacity/write?precision=s", body=body.encode(),
                 headers={"Authorization": f"Token {token}", "Content-Type": "text/plain"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 204:
        raise RuntimeError(f"HTTP {response.status}: {data[:500]!r}")
    return time.perf_counter() - started


def bodies(label: str, points: int, batch: int) -> list[str]:
    per = points // SERIES
    end = int(time.time()) // 60 * 60
    lines = [f"bench_push_{label},host=h{n} value={k % 97} {end - 60 * (per - k)}"
             for n in range(SERIES) for k in range(per)]
    return ["\n".join(lines[i:i + batch]) for i in range(0, len(lines), batch)]


def phase(port: int, token: str, points: int, batch: int, concurrency: int) -> dict:
    label = f"c{concurrency}_{time.time_ns()}"
    work = bodies(label, points, batch)
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    end = int(time.time()) // 60 * 60
    post(warm, token, "\n".join(f"bench_push_{label},host=h{n} value=0 {end - 86400}"
                                for n in range(SERIES)))
    warm.close()
    times: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker(mine: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            for body in mine:
                took = post(conn, token, body)
                with lock:
                    times.append(took)
        except Exception as exc:  # noqa: BLE001 - reported, not swallowed
            errors.append(str(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(work[n::concurrency],))
               for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(errors[0])
    sent = sum(body.count("\n") + 1 for body in work)
    ordered = sorted(times)
    return {"concurrency": concurrency, "points": sent, "requests": len(work),
            "seconds": round(seconds, 2), "points_per_second": round(sent / seconds),
            "request_p50_ms": round(1000 * statistics.median(ordered), 1),
            "request_p95_ms": round(1000 * ordered[max(0, round(0.95 * len(ordered)) - 1)], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--concurrency", default="1,4")
    args = parser.parse_args()
    found = [phase(args.port, args.token, args.points, args.batch, int(c))
             for c in args.concurrency.split(",")]
    print(json.dumps(found))


if __name__ == "__main__":
    main()
