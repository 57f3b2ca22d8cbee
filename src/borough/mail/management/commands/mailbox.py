"""`borough mailbox add|list`: an organisation's mailboxes from the command line.

A new installation needs its first mailbox before `borough mailgate` accepts any mail
(it refuses every address that is not an active mailbox), and an administrator may not
yet have signed in to add one on the Email → Mailboxes page:

    borough mailbox add --organisation cbc --address ithelp@copeland.gov.uk \\
        --name "IT service desk" --default
"""

from __future__ import annotations

from django.core.management.base import CommandError

from borough.core.management.base import BoroughCommand
from borough.mail import services
from borough.mail.models import Mailbox


class Command(BoroughCommand):
    help = "Add and list the mailboxes Borough receives mail at."

    def add_options(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list")

        add = sub.add_parser("add", help="Add a mailbox for an organisation.")
        # On the subcommand, not the base's top-level option, so it can follow `add`.
        add.add_argument("--organisation", metavar="CODE", required=True,
                         help="Code of the organisation the mailbox belongs to.")
        add.add_argument("--address", required=True,
                         help="The address mail arrives at, e.g. ithelp@council.gov.uk.")
        add.add_argument("--name", required=True, help='What people call it, e.g. '
                         '"IT service desk".')
        add.add_argument("--default", action="store_true",
                         help="Send the organisation's notifications from this address, "
                              "so replies come back to it.")

        listing = sub.add_parser("list", help="List the mailboxes.")
        listing.add_argument("--organisation", metavar="CODE",
                             help="Only this organisation's (default: all).")

    def run(self, *args, **options):
        if options["action"] == "add":
            return self.add(options)
        return self.list(options)

    def add(self, options) -> None:
        organisation = self.organisation(options)
        if organisation is None:  # argparse requires it; call_command callers may not
            raise CommandError("Name the organisation with --organisation CODE.")
        # actor=None: the system itself, as for the first organisation (production.md).
        mailbox = services.create_mailbox(
            Mailbox(organisation=organisation, address=options["address"],
                    name=options["name"], is_default=options["default"]),
            actor=None)
        note = " (notifications are sent from it)" if mailbox.is_default else ""
        self.stdout.write(f"Added the mailbox {mailbox.address} for {organisation.code}"
                          f"{note}. Relay its mail to `borough mailgate`, or set its IMAP "
                          "server on the Email → Mailboxes page.")

    def list(self, options) -> None:
        mailboxes = Mailbox.objects.select_related("organisation").order_by(
            "organisation__code", "address")
        organisation = self.organisation(options)
        if organisation is not None:
            mailboxes = mailboxes.filter(organisation=organisation)
        for box in mailboxes:
            flags = [word for word, on in (("default", box.is_default),
                                           ("inactive", not box.is_active),
                                           ("IMAP", box.reads_imap)) if on]
            extra = f" ({', '.join(flags)})" if flags else ""
            self.stdout.write(f"{box.organisation.code}\t{box.address}\t{box.name}{extra}")
        if not mailboxes:
            self.stdout.write("No mailboxes yet: `borough mailbox add` adds one.")
