"""`borough daily_totals check|rebuild`: the service desk's daily totals (daily.py).

`check` compares them with what the tickets add up to and exits 1 if they differ (for
after a restore, or a change made to tickets with SQL); `rebuild` recounts them from
the tickets, for every organisation or one (`--organisation CODE`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from borough.organisation.models import Organisation
from borough.servicedesk import daily


class Command(BaseCommand):
    help = "Check or rebuild the service desk's daily totals from the tickets."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "rebuild"])
        parser.add_argument("--organisation", metavar="CODE",
                            help="Rebuild this organisation only (default: all).")

    def handle(self, *args, action, organisation=None, **options):
        if action == "check":
            if organisation:
                raise CommandError("check looks at every organisation; leave out --organisation.")
            found = daily.differences()
            for line in found[:50]:
                self.stdout.write(line)
            if found:
                raise CommandError(f"{len(found)} daily totals differ from the tickets; "
                                   "run `borough daily_totals rebuild`.")
            self.stdout.write("The daily totals match the tickets.")
            return
        ids = None
        if organisation:
            found = Organisation.objects.filter(code=organisation).values_list("pk", flat=True)
            if not found:
                raise CommandError(f"No organisation has the code {organisation!r}.")
            ids = list(found)
        opened, resolved = daily.rebuild(ids)
        self.stdout.write(f"Rebuilt {opened:,} days of tickets logged and {resolved:,} of "
                          "tickets resolved.")
