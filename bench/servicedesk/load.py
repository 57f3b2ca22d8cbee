"""The load client: signs in like a browser, then times each endpoint at concurrency 1 and 8.

Runs in its own process (bench/run.py starts it) and talks HTTP/1.1 with
keep-alive to 127.0.0.1 only, one connection per thread. Prints a JSON report
on stdout. Cookies are handled by hand: the production server marks them
Secure, and this client speaks plain HTTP on the loopback interface.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One keep-alive connection and the cookies of one signed-in user."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if "Cookie" not in headers and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not headers.get("Cookie"):
            headers.pop("Cookie", None)  # the API client sends its token, not a session
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if key.strip() != "messages":  # flash messages: a browser shows, then drops them
                    self.cookies[key.strip()] = val.strip()
        return response.status, dict(response.getheaders()), data

    def close(self):
        self.conn.close()


def sign_in(port: int, username: str, password: str) -> tuple[dict, str]:
    """Session cookies and a CSRF form token, the way a browser gets them."""
    s = Session(port)
    status, _, body = s.request("GET", "/accounts/login/")
    if status != 200:
        raise SystemExit(f"login page answered {status}")
    token = CSRF_INPUT.search(body.decode()).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username,
                      "password": password}).encode()
    status, headers, body = s.request("POST", "/accounts/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302 or "sessionid" not in s.cookies:
        raise SystemExit(f"sign-in failed: {status} {body[:300]!r}")
    status, _, body = s.request("GET", "/service-desk/tickets/add/")
    if status != 200:
        raise SystemExit(f"ticket form answered {status}")
    token = CSRF_INPUT.search(body.decode()).group(1)
    s.close()
    return s.cookies, token


@dataclass
class Endpoint:
    name: str
    describe: str
    make: object  # (rng) -> (method, path, body, headers)
    expect: tuple
    c1: int = 200
    c8: int = 400
    seconds: float = 60.0


@dataclass
class Result:
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float | None = None  # seconds of CPU the server's workers used


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU of the server's worker processes (Linux /proc)."""
    if not pids:
        return None
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def run(endpoint: Endpoint, cookies: dict, port: int, concurrency: int, requests: int,
        seconds: float, seed: int, server_pids: list[int] = ()) -> Result:
    result = Result()
    cpu_before = cpu_seconds(list(server_pids))
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds

    def worker(index: int):
        rng = random.Random(seed * 100 + index)
        session = Session(port, cookies)
        try:
            while True:
                with lock:
                    if issued[0] >= requests or time.perf_counter() > deadline:
                        return
                    issued[0] += 1
                method, path, body, headers = endpoint.make(rng)
                started = time.perf_counter()
                try:
                    status, _, data = session.request(method, path, body, headers)
                except OSError as exc:
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    result.latencies.append(elapsed)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status not in endpoint.expect and len(result.errors) < 5:
                        result.errors.append(f"{status} {method} {path}: {data[:200]!r}")
        finally:
            session.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    cpu_after = cpu_seconds(list(server_pids))
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu = cpu_after - cpu_before
    return result


def summarise(result: Result, expect: tuple) -> dict:
    ms = sorted(x * 1000 for x in result.latencies)
    ok = sum(n for status, n in result.statuses.items() if status in expect)
    if not ms:
        return {"requests": 0, "ok": 0, "errors": result.errors[:5]}

    def pct(p):
        return ms[min(len(ms) - 1, max(0, round(p / 100 * len(ms) + 0.5) - 1))]

    return {
        "requests": len(ms), "ok": ok,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(95), 1),
        "p99_ms": round(pct(99), 1), "mean_ms": round(statistics.fmean(ms), 1),
        "max_ms": round(ms[-1], 1), "rps": round(len(ms) / result.wall, 1),
        "seconds": round(result.wall, 2), "errors": result.errors[:5],
        # CPU the server's workers spent per request: steadier than latency on a busy machine.
        "server_cpu_ms_per_request": round(result.server_cpu * 1000 / len(ms), 1)
        if result.server_cpu is not None else None,
    }


def endpoints(fixture: dict, token: str, csrf: str, quick: bool) -> list[Endpoint]:
    ids = fixture["ticket_ids"]
    requesters = fixture["requester_ids"]
    categories = fixture["category_ids"] or [""]
    units = fixture["service_unit_ids"] or [""]
    sites = fixture["site_ids"] or [""]
    teams = fixture["team_ids"] or [""]

    def get(path):
        return lambda rng: ("GET", path, None, {})

    def ticket_page(rng):
        return "GET", f"/service-desk/tickets/{rng.choice(ids)}/", None, {}

    def create_by_form(rng):
        body = urlencode({
            "csrfmiddlewaretoken": csrf, "ticket_type": "incident",
            "requester": rng.choice(requesters), "title": "Benchmark: printer jammed",
            "description": "Raised by the benchmark's load client.", "channel": "phone",
            "service_unit": rng.choice(units), "site": rng.choice(sites),
            "category": rng.choice(categories), "impact": rng.choice([2, 3]),
            "urgency": rng.choice([2, 3]), "team": rng.choice(teams), "assignee": "",
            "submission_key": uuid.uuid4().hex,
        }).encode()
        return "POST", "/service-desk/tickets/add/", body, {
            "Content-Type": "application/x-www-form-urlencoded"}

    def create_by_api(rng):
        body = json.dumps({
            "ticket_type": "incident", "title": "Benchmark: access point offline",
            "description": "Raised through the API by the benchmark's load client.",
            "requester": rng.choice(requesters), "category": rng.choice(categories),
            "impact": rng.choice([2, 3]), "urgency": rng.choice([2, 3]),
        }).encode()
        return "POST", "/api/servicedesk/tickets/", body, {
            "Content-Type": "application/json", "Authorization": f"Token {token}",
            "Cookie": ""}

    scale = 0.25 if quick else 1.0

    def n(value):
        return max(int(value * scale), 10)

    return [
        Endpoint("floor", "bare authenticated view: queue's count + 25 rows, plain text",
                 get("/bench/floor/?queue=all"), (200,), n(200), n(400)),
        Endpoint("queue_default", "agent queue, all open tickets, sorted by SLA due",
                 get("/service-desk/tickets/?queue=all"), (200,), n(200), n(400)),
        Endpoint("queue_filtered", "agent queue filtered: P1, status new",
                 get("/service-desk/tickets/?queue=all&priority=1&status=new"), (200,),
                 n(200), n(400)),
        Endpoint("floor_filtered", "floor with the filtered queue's conditions",
                 get("/bench/floor/?priority=1&status=new"), (200,), n(200), n(400)),
        Endpoint("ticket_page", "a random ticket's page (agent view, timeline)", ticket_page,
                 (200,), n(200), n(400)),
        Endpoint("ticket_form_page", "the staff 'raise a ticket' form (GET)",
                 get("/service-desk/tickets/add/"), (200,), n(100), n(200)),
        Endpoint("statistics", "the statistics page (default period)",
                 get("/service-desk/statistics/"), (200,), n(100), n(200)),
        Endpoint("api_list", "API list, 25 a page",
                 get("/api/servicedesk/tickets/?page_size=25"), (200,), n(100), n(200)),
        # Last: creation adds open tickets, which would change what the pages above read.
        Endpoint("create_form", "raise a ticket by the staff form (POST, redirect)",
                 create_by_form, (302,), n(200), n(400)),
        Endpoint("create_api", "raise a ticket by the API (POST, token)", create_by_api, (201,),
                 n(200), n(400)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--quick", action="store_true", help="A quarter of the requests.")
    parser.add_argument("--only", help="Comma-separated endpoint names.")
    parser.add_argument("--server-pids", default="",
                        help="Worker process ids, to measure the server's CPU per request.")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.load(handle)
    cookies, csrf = sign_in(args.port, args.username, args.password)
    cookies.pop("messages", None)
    pids = [int(p) for p in args.server_pids.split(",") if p]
    report = {}
    chosen = set(args.only.split(",")) if args.only else None
    for seed, endpoint in enumerate(endpoints(fixture, args.token, csrf, args.quick), 1):
        if chosen and endpoint.name not in chosen:
            continue
        # Warm up: templates compiled, connections open, caches filled in every worker.
        run(endpoint, cookies, args.port, 4, 8, 30, seed + 1000)
        entry = {"describe": endpoint.describe}
        for concurrency, count in ((1, endpoint.c1), (8, endpoint.c8)):
            result = run(endpoint, cookies, args.port, concurrency, count, endpoint.seconds,
                         seed, pids)
            entry[f"c{concurrency}"] = summarise(result, endpoint.expect)
            print(f"  {endpoint.name:<17} c={concurrency}: "
                  f"{entry[f'c{concurrency}'].get('p50_ms')} / "
                  f"{entry[f'c{concurrency}'].get('p95_ms')} ms, "
                  f"{entry[f'c{concurrency}'].get('rps')} rps", file=sys.stderr, flush=True)
        report[endpoint.name] = entry
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
