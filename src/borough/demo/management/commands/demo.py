from django.conf import settings
from django.core.management.base import CommandError

from borough.core.management.base import BoroughCommand
from borough.demo import (
    availability,
    capacity,
    catalogue,
    changes,
    cmdb,
    commercial,
    continuity,
    finance,
    library,
    licences,
    organisations,
    problems,
    procurement,
    releases,
    servicedesk,
    standards,
    status,
)


class Command(BoroughCommand):
    help = "Load demo organisations with a login in every role (safe to run again)."

    def add_options(self, parser):
        parser.add_argument("--quiet-logins", action="store_true",
                            help="Do not print the logins.")

    def run(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is for trials: it resets the logins it creates, "
                               "including 'admin'. Run it without BOROUGH_MODE=production.")
        password = organisations.demo_password(settings.BOROUGH_DEMO_PASSWORD)
        logins = organisations.load(password)
        estate = cmdb.load()
        services = catalogue.load()
        documents = library.load()
        # Before the licences: they find their suppliers and contracts by name.
        contracts = commercial.load()
        licence_counts = licences.load()
        tickets = servicedesk.load()
        catalogue.link_all_tickets()
        cost_lines = finance.load()
        standards_counts = standards.load()
        requests = procurement.load()
        announcements = status.load()
        change_counts = changes.load()
        # After the changes: the releases deliver them.
        release_counts = releases.load()
        # After the desk's history: the problem is behind its repeated Wi-Fi incidents.
        problem_counts = problems.load()
        metric_counts = capacity.load()
        # After the desk, the status page and the changes: outages from their records.
        outage_counts = availability.load()
        # After the catalogue and the CMDB: the analyses, the Moresby failover and its test.
        continuity_counts = continuity.load()
        if options["quiet_logins"]:
            return
        for code, count in estate.items():
            if count:
                self.stdout.write(f"Configuration items for {code}: {count}.")
        for code, count in documents.items():
            if count:
                self.stdout.write(f"Configuration library documents for {code}: {count}.")
        for code, count in services.items():
            if count:
                self.stdout.write(f"Business services for {code}: {count}.")
        for code, count in licence_counts.items():
            if count:
                self.stdout.write(f"Software licences for {code}: {count}.")
        for code, count in metric_counts.items():
            if count:
                self.stdout.write(f"Utilisation metrics for {code}: {count}, with two years "
                                  "of daily figures.")
        for code, count in cost_lines.items():
            if count:
                self.stdout.write(f"ICT cost lines for {code}: {count}.")
        for code, count in contracts.items():
            if count:
                self.stdout.write(f"Contracts for {code}: {count}.")
        for code, count in tickets.items():
            if count:
                self.stdout.write(f"Service desk history for {code}: {count} tickets.")
        for code, count in requests.items():
            if count:
                self.stdout.write(f"Procurement requests for {code}: {count}.")
        for code, count in announcements.items():
            if count:
                self.stdout.write(f"Service status announcements for {code}: {count}.")
        for code, count in change_counts.items():
            if count:
                self.stdout.write(f"Changes for {code}: {count}.")
        for code, count in release_counts.items():
            if count:
                self.stdout.write(f"Releases for {code}: {count}.")
        for code, count in problem_counts.items():
            if count:
                self.stdout.write(f"Problems for {code}: {count}, with known errors and "
                                  "knowledge articles.")
        for code, count in outage_counts.items():
            if count:
                self.stdout.write(f"Outages for {code}: {count}, with a year of availability.")
        for code, count in continuity_counts.items():
            if count:
                self.stdout.write(f"Continuity records for {code}: {count} (analyses, the "
                                  "Moresby failover plan and its test).")
        for what, count in standards_counts.items():
            if count:
                self.stdout.write(f"Standards: {count} {what}.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of these:"))
        for org, role, username in logins.usernames:
            self.stdout.write(f"  {username:<24} {role:<20} {org}")
        source = "BOROUGH_DEMO_PASSWORD" if settings.BOROUGH_DEMO_PASSWORD else "generated"
        self.stdout.write(f"Password for every demo login ({source}): {password}")
