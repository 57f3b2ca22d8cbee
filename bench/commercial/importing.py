"""Import N cost lines from a generated CSV through the real import machinery, in a process
of its own: time of each step and the process's peak memory.

    python -m bench.commercial.importing fixture.json --rows 100000 --out figures.json

Signed in as the seeded council's ICT manager (who keeps the finance records), as a
finance officer would: the file is a finance system's export with its own headings
("Posting date", "Value", "Narrative", "Cost centre code", "Vendor", "Transaction
reference", "System", "Contract"), amounts written as finance writes them (£1,234.56,
and a credit as (12.00) on one row in fifty), each line's cost centre by code, its
supplier by name on most rows, its system or item (by the name Borough shows) on 45 %,
its contract by reference on 10 %. Through core.importing with the background runner
`worker`, run here in-process as `borough worker` runs it (the file is above
IMPORT_BACKGROUND_ROWS): the upload (the file read, its header matched, kept), the check
(every row validated and saved, then rolled back: the preview), the import (the same,
kept). IMPORT_MAX_ROWS (20,000 by default) is raised to the file's rows for the run: a
council importing a whole year at once would raise it the same way.

Each step's wall time and queries, and the peak resident memory during it (VmHWM from
/proc, reset before each step through /proc/self/clear_refs). The imported lines are
deleted at the end (`--keep` keeps them), so the database stays at its seeded size for
the next measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import sys
import time
from pathlib import Path


def log(message: str) -> None:
    print(f"[commercial import {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


HEADER = ["Posting date", "Value", "Narrative", "Cost centre code", "Vendor",
          "Transaction reference", "System", "Contract"]


def export(rows: int, organisation_id: int, tag: str, seed: int = 31) -> bytes:
    """A finance system's export of `rows` cost lines of the current financial year."""
    import datetime

    from django.utils import timezone

    from borough.cmdb.models import ConfigurationItem
    from borough.commercial.models import Contract, Supplier
    from borough.finance.models import CostCentre
    from borough.finance.years import FinancialYear

    rng = random.Random(seed)
    today = timezone.localdate()
    first = FinancialYear.of(today).start
    days = max(1, (today - first).days + 1)
    centres = list(CostCentre.objects.filter(organisation_id=organisation_id)
                   .values_list("code", flat=True))
    suppliers = list(Supplier.objects.filter(organisation_id=organisation_id)
                     .values_list("name", flat=True))
    items = [str(ci) for ci in ConfigurationItem.objects.filter(
        organisation_id=organisation_id, ci_class__code__in=[
            "application", "physical-server", "storage", "network-device"])
        .exclude(status="retired").select_related("ci_class").order_by("pk")]
    contracts = list(Contract.objects.filter(organisation_id=organisation_id)
                     .values_list("reference", flat=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(rows):
        day = first + datetime.timedelta(days=n * days // rows)
        pence = rng.randint(1_000, 2_000_000)
        amount = f"£{pence // 100:,}.{pence % 100:02d}" if n % 3 else f"{pence / 100:.2f}"
        if rng.random() < 0.02:
            amount = f"({pence // 100}.{pence % 100:02d})"
        roll = rng.random()
        item = rng.choice(items) if roll < 0.45 and items else ""
        contract = rng.choice(contracts) if 0.45 <= roll < 0.55 and contracts else ""
        writer.writerow([day.strftime("%d/%m/%Y"), amount,
                         rng.choice(["Support and maintenance", "Hardware maintenance",
                                     "Licence renewal", "Hosting", "Consultancy"]),
                         rng.choice(centres),
                         rng.choice(suppliers) if rng.random() < 0.7 and suppliers else "",
                         f"{tag}{n + 1:07d}", item, contract])
    return buffer.getvalue().encode()


def run(fixture: dict, rows: int, username: str, keep: bool = False) -> dict:
    """The import, in this process (django set up by the caller). Returns the figures."""
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(BACKGROUND_TASK_RUNNER="worker",
                           IMPORT_MAX_ROWS=max(settings.IMPORT_MAX_ROWS, rows),
                           IMPORT_BACKGROUND_ROWS=min(settings.IMPORT_BACKGROUND_ROWS,
                                                      rows - 1)):
        return _run(fixture, rows, username, keep)


def _run(fixture: dict, rows: int, username: str, keep: bool) -> dict:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from borough.accounts.models import User
    from borough.core import background, importing
    from borough.core.importers import importer_for
    from borough.core.models import ImportStatus
    from borough.finance.models import CostLine

    organisation_id = fixture["organisation_id"]
    user = User.objects.get(username=username)
    user.active_organisation_id = organisation_id
    tag = f"IMP{int(time.time()) % 100000:05d}-"
    started = time.perf_counter()
    content = export(rows, organisation_id, tag)
    figures: dict = {"rows": rows, "file_kb": round(len(content) / 1024),
                     "generate_seconds": round(time.perf_counter() - started, 2),
                     "import_max_rows": settings.IMPORT_MAX_ROWS,
                     "rss_before_mb": round(status_kb("VmRSS") / 1024, 1)}
    lines_before = CostLine.objects.filter(organisation_id=organisation_id).count()

    def step(name, work):
        reset_peak()
        before = status_kb("VmRSS")
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            began = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - began
        figures[name] = {"seconds": round(seconds, 2), "queries": len(queries),
                         "rss_before_mb": round(before / 1024, 1),
                         "rss_peak_mb": round(status_kb("VmHWM") / 1024, 1),
                         "rss_after_mb": round(status_kb("VmRSS") / 1024, 1)}
        if name in ("check", "import"):
            figures[name]["rows_per_second"] = round(rows / seconds)
        log(f"{name}: {seconds:.1f} s, {len(queries):,} queries, peak "
            f"{figures[name]['rss_peak_mb']} MB")
        return result

    importer = importer_for("finance.costline")
    upload = step("upload", lambda: importing.upload(
        importer, SimpleUploadedFile("ledger-export.csv", content), user=user, options={}))
    step("check", lambda: background.run_waiting(via="bench"))
    upload.refresh_from_db()
    if upload.status != ImportStatus.CHECKED or upload.error_count:
        raise RuntimeError(f"the check found problems ({upload.status}): {upload.errors[:3]}")
    step("confirm", lambda: importing.confirm(upload, user=user, sha256=upload.sha256))
    step("import", lambda: background.run_waiting(via="bench"))
    upload.refresh_from_db()
    if upload.status != ImportStatus.IMPORTED:
        raise RuntimeError(f"the import ended {upload.status}: {upload.errors[:3]}")
    imported = CostLine.objects.filter(organisation_id=organisation_id,
                                       transaction_reference__startswith=tag)
    figures["lines_imported"] = imported.count()
    figures["lines_before"] = lines_before
    figures["seconds"] = round(sum(figures[s]["seconds"] for s in
                                   ("upload", "check", "confirm", "import")), 1)
    figures["rss_peak_mb"] = max(figures[s]["rss_peak_mb"] for s in
                                 ("upload", "check", "confirm", "import"))
    if figures["lines_imported"] != rows:
        raise RuntimeError(f"{figures['lines_imported']} lines imported of {rows}")
    if not keep:
        imported._raw_delete(imported.db)  # nothing points at a fresh cost line
        upload.delete()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--username", default="edc-ictmanager")
    parser.add_argument("--keep", action="store_true", help="Keep the imported lines.")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    started_kb = status_kb("VmRSS")
    import django

    django.setup()
    with open(args.fixture) as handle:
        fixture = json.load(handle)
    figures = {"rss_at_start_mb": round(started_kb / 1024, 1),
               **run(fixture, args.rows, args.username, args.keep)}
    Path(args.out).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
