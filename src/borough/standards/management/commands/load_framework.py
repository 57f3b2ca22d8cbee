"""`borough load_framework FILE`: validate a framework file and load it as a new version."""

from __future__ import annotations

import getpass

from django.core.management.base import CommandError

from borough.core.management.base import BoroughCommand
from borough.standards.framework import loader


class Command(BoroughCommand):
    help = ("Validate a framework file (YAML) and load it. FILE is a path or the name of a "
            "framework shipped with Borough (e.g. nesds-ict). Loading the same file again "
            "changes nothing; a changed file becomes a new version and earlier versions stay "
            "as they were. Problems are listed with their line numbers and nothing is loaded.")

    def add_options(self, parser):
        parser.add_argument("file", metavar="FILE",
                            help=f"a path, or a shipped framework: "
                                 f"{', '.join(loader.shipped_frameworks()) or 'none'}")
        parser.add_argument("--check", action="store_true",
                            help="only validate the file; load nothing")
        parser.add_argument("--loaded-by", default="",
                            help="who is loading it, kept with the version (default: your "
                                 "login name)")

    def run(self, *args, **options):
        try:
            path = loader.resolve(options["file"])
            if options["check"]:
                spec = loader.parse(loader.normalise(loader.read_file(path)), name=str(path))
                criteria = sum(len(s.criteria) for s in spec.standards)
                self.stdout.write(f"{path} is valid: {spec.code}, {len(spec.themes)} themes, "
                                  f"{len(spec.standards)} standards, {criteria} criteria. "
                                  f"Nothing was loaded (--check).")
                return
            result = loader.load_file(path, loaded_by=options["loaded_by"] or _login_name())
        except loader.FrameworkFileError as exc:
            raise CommandError(f"{exc}\nNothing was loaded. Correct the file and run the command "
                               f"again.", returncode=1) from None
        style = self.style.SUCCESS if result.created else self.style.NOTICE
        self.stdout.write(style(result.message))


def _login_name() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"
