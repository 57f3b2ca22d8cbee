"""`borough daily_totals check|rebuild`: the service desk's daily totals (daily.py).

`check` compares them with what the tickets add up to and exits 1 if they differ (for
after a restore, or a change made to tickets with SQL); `rebuild` recounts them from
the tickets, for every organisation or one (`--organisation CODE`). `--json` prints the
figures.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from borough.core.management.base import BoroughCommand
from borough.servicedesk import daily


class Command(BoroughCommand):
    help = "Check or rebuild the service desk's daily totals from the tickets."
    takes_organisation = True
    organisation_help = "Rebuild this organisation only (default: all)."
    reports_figures = True

    def add_options(self, parser):
        parser.add_argument("action", choices=["check", "rebuild"])

    def run(self, *args, action, **options):
        organisation = self.organisation(options)
        if action == "check":
            if organisation is not None:
                raise CommandError("check looks at every organisation; leave out --organisation.")
            found = daily.differences()
            if not options.get("json"):
                for line in found[:50]:
                    self.stdout.write(line)
            if found:
                raise CommandError(f"{len(found)} daily totals differ from the tickets; "
                                   "run `borough daily_totals rebuild`.")
            return {"differences": 0}
        opened, resolved = daily.rebuild([organisation.pk] if organisation else None)
        return {"days_logged": opened, "days_resolved": resolved}

    def describe(self, figures: dict) -> str:
        if "differences" in figures:
            return "The daily totals match the tickets."
        return (f"Rebuilt {figures['days_logged']:,} days of tickets logged and "
                f"{figures['days_resolved']:,} of tickets resolved.")
