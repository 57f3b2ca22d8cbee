"""Remove the tickets earlier benchmark runs raised, so a reused database is as seeded.

    python -m bench.servicedesk.forget    (DATABASE_URL and BOROUGH_DATA_DIR as for seed.py)

Each run raises about 1,300 tickets by the form and the API, all still open. Left in,
they pile up run after run (18,000 after a day's work at 1M, against 1,563 open tickets
seeded), and the queue, the backlog and the filtered counts then measure the
benchmark's own leftovers. This deletes the tickets whose titles the load client and
the in-process profile give them (with their timeline, audit events and idempotency
keys), rebuilds the daily totals of the councils concerned, and vacuums, as the seed
does. Prints how many tickets went.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from borough.core.models import AuditEvent, SubmissionKey  # noqa: E402
from borough.servicedesk import daily  # noqa: E402
from borough.servicedesk.models import Ticket  # noqa: E402

# The titles bench/servicedesk/load.py and profile.py raise tickets with.
TITLES = ("Benchmark: ", "Profile: ")


def forget() -> int:
    created = Ticket.objects.filter(
        Q(*[Q(title__startswith=prefix) for prefix in TITLES], _connector=Q.OR))
    ids = list(created.values_list("pk", flat=True))
    if not ids:
        return 0
    organisations = sorted(set(created.values_list("organisation_id", flat=True)))
    content_type = ContentType.objects.get_for_model(Ticket)
    with transaction.atomic():
        for start in range(0, len(ids), 5_000):
            batch = ids[start:start + 5_000]
            AuditEvent.objects.filter(content_type=content_type, object_id__in=batch)._raw_delete(
                AuditEvent.objects.db)  # audit events refuse delete() by design
            SubmissionKey.objects.filter(content_type=content_type, object_id__in=batch).delete()
            Ticket.objects.filter(pk__in=batch).delete()
        daily.rebuild(organisations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (Ticket._meta.db_table, "servicedesk_timelineentry",
                          AuditEvent._meta.db_table):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return len(ids)


def main() -> None:
    started = time.monotonic()
    removed = forget()
    print(f"[forget] removed {removed:,} tickets raised by earlier runs "
          f"in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
