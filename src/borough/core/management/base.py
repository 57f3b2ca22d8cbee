"""The base of every `borough` command.

- `--organisation CODE` when the command works on one organisation (`takes_organisation`);
  `self.organisation(options)` gives it, or None for all of them.
- `--json` where a command reports figures (`reports_figures`): `handle` returns a dict
  and the base prints it, as JSON or in words (`describe`).
- A problem the operator can act on (CommandError, or a service's ValidationError or
  PermissionDenied) is printed as one plain line on stderr, with a non-zero exit status:
  no traceback, no class name.
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError


def plain(exc: Exception) -> str:
    """An error's messages as the operator reads them: a service's messages on one line,
    a command's own words as it wrote them (a file's problems may take a line each)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(m for messages in exc.message_dict.values() for m in messages)
        return " ".join(exc.messages)
    return str(exc).strip()


class BoroughCommand(BaseCommand):
    takes_organisation = False
    organisation_help = "Only the organisation with this code (default: all)."
    reports_figures = False

    def add_arguments(self, parser):
        if self.takes_organisation:
            parser.add_argument("--organisation", metavar="CODE", help=self.organisation_help)
        if self.reports_figures:
            parser.add_argument("--json", action="store_true",
                                help="Print the figures as JSON, for scripts and monitoring.")
        self.add_options(parser)

    def add_options(self, parser) -> None:
        """The command's own arguments."""

    def organisation(self, options):
        """The organisation named by --organisation, or None."""
        code = options.get("organisation")
        if not code:
            return None
        from django.apps import apps
        from django.conf import settings

        # The tenancy model by its setting: core names no app.
        Organisation = apps.get_model(settings.BOROUGH_ORGANISATION_MODEL)  # noqa: N806
        found = Organisation.objects.filter(code=code).first()
        if found is None:
            codes = ", ".join(Organisation.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No organisation has the code {code!r} (codes: {codes or 'none'}).")
        return found

    def run_from_argv(self, argv):
        self._from_command_line = True
        super().run_from_argv(argv)

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (CommandError, ValidationError, PermissionDenied) as exc:
            error = exc if isinstance(exc, CommandError) else CommandError(plain(exc))
            if not getattr(self, "_from_command_line", False) or options.get("traceback"):
                raise error from (None if error is exc else exc)
            # On the command line: the message, plainly, and the exit status.
            self.stderr.write(plain(error))
            sys.exit(error.returncode)

    def handle(self, *args, **options):
        figures = self.run(*args, **options)
        if self.reports_figures and figures is not None:
            if options.get("json"):
                self.stdout.write(json.dumps(figures, default=str, indent=2))
            else:
                self.stdout.write(self.describe(figures))
        return None

    def run(self, *args, **options):
        raise NotImplementedError

    def describe(self, figures: dict) -> str:
        return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in figures.items())
