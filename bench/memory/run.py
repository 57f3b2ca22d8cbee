"""Worker memory of the production server: Borough beside django-helpdesk.

    .venv/bin/python -m bench.memory.run [--helpdesk-venv /tmp/helpdesk-venv] [--reuse]

For each project, on this machine and the same way:

1. A SQLite database in bench/data/memory-<project>/ (git-ignored): Borough's is migrated
   and loaded with `borough demo`; django-helpdesk's is a minimal project written there by
   this script (settings, URLs, a queue, 60 tickets with follow-ups, a knowledge base).
   `--reuse` keeps a database made by an earlier run.
2. The production server: `borough serve` (gunicorn, production settings), and gunicorn
   on the helpdesk project's WSGI application with DEBUG off, both with 2 workers of 4
   threads (`--workers`, `--threads`).
3. Each worker's VmRSS from /proc: after start-up (workers booted, no request served
   yet, the figure steady for a second); after a warm-up, where 4 clients each sign in
   and walk the project's everyday pages (`--rounds` times, a new connection each round,
   so both workers serve them); and, for Borough, after its rare pages too (a
   spreadsheet export and the committee report's PDF, which load openpyxl and WeasyPrint).

Nothing of django-helpdesk is kept in this repository: install it into a throw-away
virtual environment (`python3 -m venv /tmp/helpdesk-venv && /tmp/helpdesk-venv/bin/pip
install django-helpdesk gunicorn`) and pass its path. Results go to
bench/results/memory.json (`--out`, `--no-write`). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench.run import (
    DATA,
    RESULTS,
    ROOT,
    VENV,
    children,
    log,
    machine,
    memory_mb,
    run,
    spare_port,
    stop,
)
from bench.servicedesk.load import Session

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "memory-bench-" + secrets.token_urlsafe(8)


# --- measuring ------------------------------------------------------------------------------


def workers_memory(server: subprocess.Popen) -> list[dict]:
    return [{"pid": pid, **memory_mb(pid)} for pid in children(server.pid)]


def wait_booted(server: subprocess.Popen, workers: int, timeout: float = 600) -> None:
    """Until `workers` workers run and none of their VmRSS moved for a second: imports
    done, no request served."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        pids = children(server.pid)
        now = [memory_mb(pid).get("VmRSS") for pid in pids]
        if len(pids) == workers and now == last and None not in now:
            return
        last = now
        time.sleep(1.0)
    raise RuntimeError("the workers did not settle in time")


def sign_in(port: int, login: str, username: str, password: str, field: str = "username") -> dict:
    s = Session(port)
    status, _, body = s.request("GET", login)
    if status != 200:
        raise RuntimeError(f"{login} answered {status}")
    token = CSRF_INPUT.search(body.decode()).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, field: username,
                      "password": password}).encode()
    status, _, body = s.request("POST", login, form,
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "Referer": f"http://127.0.0.1:{port}{login}"})
    if status != 302:
        raise RuntimeError(f"sign-in as {username} failed: {status} {body[:300]!r}")
    s.close()
    return s.cookies


def walk(port: int, cookies: dict, steps: list, rounds: int, clients: int = 4) -> dict:
    """`clients` threads, each walking `steps` `rounds` times on a new connection each
    round. A step is a path (GET, expecting 200) or a callable(session) that checks its
    own answer. Returns {status: count}."""
    counts: dict = {}
    errors: list = []
    lock = threading.Lock()

    def client():
        try:
            for _ in range(rounds):
                session = Session(port, cookies)
                for step in steps:
                    if callable(step):
                        status = step(session)
                    else:
                        status, _, _ = session.request("GET", step)
                        if status != 200:
                            raise RuntimeError(f"GET {step} answered {status}")
                    with lock:
                        counts[status] = counts.get(status, 0) + 1
                session.close()
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return counts


def post_form(path: str, fields: callable, expect: int = 302):
    """A step that GETs `path` for its CSRF token and POSTs `fields()` to it."""

    def step(session: Session) -> int:
        status, _, body = session.request("GET", path)
        token = CSRF_INPUT.search(body.decode()).group(1)
        status, _, body = session.request(
            "POST", path, urlencode({"csrfmiddlewaretoken": token, **fields()}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Referer": f"http://127.0.0.1:{session.port}{path}"})
        if status != expect:
            raise RuntimeError(f"POST {path} answered {status}: {body[:300]!r}")
        return status

    return step


def wait_answering(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _, _ = Session(port).request("GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{path} did not answer 200 in time")


def measure(server, port: int, workers: int, phases: list, health: str = "/health/") -> dict:
    """Worker memory after start-up, then after each (name, walk) phase."""
    wait_booted(server, workers)
    figures = {"after_start": workers_memory(server)}
    log(f"after start-up: {summary(figures['after_start'])}")
    wait_answering(port, health)
    for name, phase in phases:
        started = time.monotonic()
        counts = phase()
        time.sleep(1.0)  # let the last answers finish
        figures[name] = workers_memory(server)
        figures[f"{name}_requests"] = counts
        log(f"{name} ({sum(counts.values())} requests, {time.monotonic() - started:.0f} s): "
            f"{summary(figures[name])}")
    return figures


def summary(memory: list[dict]) -> str:
    return ", ".join(f"{m['pid']}: {m.get('VmRSS')} MB (peak {m.get('VmHWM')})" for m in memory)


# --- Borough --------------------------------------------------------------------------------


def borough(args) -> dict:
    data_dir = DATA / "memory-borough"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(ROOT), "BOROUGH_DATA_DIR": str(data_dir),
           "DATABASE_URL": f"sqlite:///{data_dir / 'borough.sqlite3'}", "LOG_LEVEL": "WARNING",
           "BOROUGH_MODE": "development", "DEBUG": "false", "BOROUGH_DEMO_PASSWORD": PASSWORD}
    if not (args.reuse and (data_dir / "borough.sqlite3").exists()):
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
    run([str(VENV / "borough"), "demo", "--quiet-logins"], env)  # idempotent: sets passwords
    ids = json.loads(run([str(VENV / "borough"), "shell", "-c", textwrap.dedent("""
        import json
        from borough.servicedesk.models import Ticket
        from borough.standards.models import AssessmentCycle
        tickets = list(Ticket.objects.filter(organisation__code="cbc").order_by("-pk")
                       .values_list("pk", "requester_id")[:8])
        cycle = AssessmentCycle.objects.filter(organisation__code="cbc").order_by("pk").first()
        print(json.dumps({"tickets": tickets, "cycle": cycle.pk}))
    """)], env, capture=True).strip().splitlines()[-1])
    port = spare_port()
    prod_env = {**env, "BOROUGH_MODE": "production", "SECRET_KEY": secrets.token_urlsafe(40),
                "ALLOWED_HOSTS": "127.0.0.1", "HOST": "127.0.0.1", "PORT": str(port),
                "WEB_CONCURRENCY": str(args.workers), "THREADS": str(args.threads)}
    tickets = [pk for pk, _ in ids["tickets"]]
    requester = ids["tickets"][0][1]
    cycle = ids["cycle"]

    def desk_pages():
        cookies = sign_in(port, "/accounts/login/", "cbc-agent", PASSWORD)
        create = post_form("/service-desk/tickets/add/", lambda: {
            "ticket_type": "incident", "requester": requester, "title": "Memory bench",
            "description": "Raised by bench/memory.", "channel": "phone", "impact": 3,
            "urgency": 3, "submission_key": secrets.token_hex(8)})
        steps = ["/", "/service-desk/tickets/?queue=all", "/service-desk/tickets/?queue=mine",
                 "/service-desk/tickets/?queue=all&priority=1&status=new",
                 *[f"/service-desk/tickets/{pk}/" for pk in tickets],
                 "/service-desk/tickets/add/", create, "/service-desk/statistics/",
                 "/api/servicedesk/tickets/?page_size=25", "/organisation/people/",
                 "/accounts/profile/"]
        counts = walk(port, cookies, steps, args.rounds)
        manager = sign_in(port, "/accounts/login/", "cbc-ictmanager", PASSWORD)
        standards = ["/standards/cycles/", f"/standards/cycles/{cycle}/",
                     f"/standards/cycles/{cycle}/report/", "/standards/actions/",
                     "/standards/frameworks/"]
        for status, n in walk(port, manager, standards, args.rounds).items():
            counts[status] = counts.get(status, 0) + n
        return counts

    def rare_pages():
        manager = sign_in(port, "/accounts/login/", "cbc-ictmanager", PASSWORD)
        return walk(port, manager, ["/service-desk/tickets/export/xlsx/?queue=all",
                                    f"/standards/cycles/{cycle}/report.pdf"], 2)

    log_file = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = None
    try:
        server = subprocess.Popen([str(VENV / "borough"), "serve"], env=prod_env, cwd=ROOT,
                                  stdout=log_file, stderr=subprocess.STDOUT)
        return measure(server, port, args.workers,
                       [("after_warm_up", desk_pages), ("after_rare_pages", rare_pages)])
    finally:
        stop(server)
        log_file.close()


# --- django-helpdesk ------------------------------------------------------------------------

HELPDESK_SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = {secret!r}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework",
    "django_cleanup.apps.CleanupConfig", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdproject.urls"
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]}},
}}]
WSGI_APPLICATION = "hdproject.wsgi.application"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3",
                         "NAME": BASE_DIR / "helpdesk.sqlite3"}}}}
USE_TZ = True
TIME_ZONE = "Europe/London"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_ROOT = BASE_DIR / "media"
SITE_ID = 1
LOGIN_URL = "/helpdesk/login/"
LOGIN_REDIRECT_URL = "/helpdesk/dashboard/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HELPDESK_TEAMS_MODE_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
"""

HELPDESK_URLS = """\
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
"""

HELPDESK_WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")
application = get_wsgi_application()
"""

HELPDESK_SEED = """\
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from helpdesk.models import FollowUp, KBCategory, KBItem, Queue, Ticket

User = get_user_model()
agent = User.objects.filter(username="agent").first() or User.objects.create_user(
    "agent", "agent@example.org", {password!r}, is_staff=True)
agent.set_password({password!r}); agent.save()
queue, _ = Queue.objects.get_or_create(slug="it", defaults={{"title": "ICT service desk"}})
now = timezone.now()
for n in range(60 - Ticket.objects.count()):
    ticket = Ticket.objects.create(
        title=f"Printer jammed {{n}}", queue=queue, submitter_email="rita@example.org",
        description="Jams on every page.", priority=1 + n % 5,
        assigned_to=agent if n % 2 else None, created=now - timedelta(hours=n))
    for k in range(3):
        FollowUp.objects.create(ticket=ticket, title="Update", comment=f"Looked at it ({{k}}).",
                                user=agent, public=bool(k % 2))
category, _ = KBCategory.objects.get_or_create(slug="printers", defaults={{
    "name": "Printers", "title": "Printers", "description": "Printing problems."}})
KBItem.objects.get_or_create(category=category, title="Clearing a jam", defaults={{
    "question": "The printer jams.", "answer": "Open the tray.", "order": 1}})
print(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0], queue.pk)
"""


def helpdesk(args) -> dict:
    venv = Path(args.helpdesk_venv).resolve()
    python = venv / "bin" / "python"
    project = DATA / "memory-helpdesk"
    package = project / "hdproject"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(project), "DJANGO_SETTINGS_MODULE": "hdproject.settings"}
    if not (args.reuse and (package / "helpdesk.sqlite3").exists()):
        import shutil

        shutil.rmtree(project, ignore_errors=True)
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "settings.py").write_text(
            HELPDESK_SETTINGS.format(secret=secrets.token_urlsafe(40)))
        (package / "urls.py").write_text(HELPDESK_URLS)
        (package / "wsgi.py").write_text(HELPDESK_WSGI)
        run([str(python), "-m", "django", "migrate", "--no-input", "-v", "0"], env)
    ticket, queue = map(int, run(
        [str(python), "-m", "django", "shell", "-c", HELPDESK_SEED.format(password=PASSWORD)],
        env, capture=True).split()[-2:])
    version = run([str(python), "-c", "import importlib.metadata as m;"
                   "print(m.version('django-helpdesk'), m.version('django'))"],
                  env, capture=True).split()
    port = spare_port()

    def pages():
        cookies = sign_in(port, "/helpdesk/login/", "agent", PASSWORD)
        s = Session(port, cookies)
        status, _, body = s.request("GET", "/helpdesk/tickets/")
        s.close()
        listing = re.search(r"datatables_ticket_list/([A-Za-z0-9_=-]+)", body.decode())
        create = post_form("/helpdesk/tickets/submit/", lambda: {
            "queue": queue, "title": "Memory bench", "body": "Raised by bench/memory.",
            "priority": 3, "submitter_email": "rita@example.org"})
        steps = ["/helpdesk/dashboard/", "/helpdesk/tickets/",
                 *([f"/helpdesk/datatables_ticket_list/{listing.group(1)}"] if listing else []),
                 *[f"/helpdesk/tickets/{pk}/" for pk in range(ticket - 7, ticket + 1)],
                 "/helpdesk/tickets/submit/", create, "/helpdesk/reports/",
                 "/helpdesk/reports/userqueue/", "/helpdesk/api/tickets/", "/helpdesk/kb/",
                 "/helpdesk/kb/printers/", "/helpdesk/settings/"]
        return walk(port, cookies, steps, args.rounds)

    log_file = open(project / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = None
    try:
        server = subprocess.Popen(
            [str(python), "-m", "gunicorn", "hdproject.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--threads", str(args.threads), "--access-logfile", "-"],
            env=env, cwd=project, stdout=log_file, stderr=subprocess.STDOUT)
        return {"versions": {"django-helpdesk": version[0], "django": version[1]},
                **measure(server, port, args.workers, [("after_warm_up", pages)],
                          health="/helpdesk/login/")}
    finally:
        stop(server)
        log_file.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--helpdesk-venv", help="A virtual environment with django-helpdesk "
                        "and gunicorn installed; without it only Borough is measured.")
    parser.add_argument("--only", choices=["borough", "helpdesk"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "memory.json"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = {"benchmark": "memory", "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": machine(), "workers": args.workers, "threads": args.threads,
              "rounds": args.rounds, "database": "sqlite"}
    load_before = os.getloadavg()
    if args.only != "helpdesk":
        log("=== Borough ===")
        result["borough"] = borough(args)
    if args.helpdesk_venv and args.only != "borough":
        log("=== django-helpdesk ===")
        result["helpdesk"] = helpdesk(args)
    result["machine"]["load_average"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    if not args.no_write:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
        log(f"wrote {args.out}")
    json.dump(result, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
